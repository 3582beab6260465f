// `laurel workflows check [--dir DIR] [FILES...]`: validates workflow data and prints, per definition,
// its id, version and state count, or every error found; exits non-zero on any error.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace laurel::web {

int check_workflows(const std::filesystem::path& dir, const std::vector<std::string>& files, std::ostream& out,
                    std::ostream& err);

}  // namespace laurel::web
