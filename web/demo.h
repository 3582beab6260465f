// `laurel demo`: fills a new database with the seed county's 2018 figures by running real
// nominations through the workflow (create, materials, submit, accept, three panelists score, close,
// approve as one publicity notice, the window closes on the timer, name as one decision, recommend
// upward), so that the log, the statistics and every page are real. Also leaves some 2019 work in
// progress so that inboxes are not empty.
#pragma once

#include <expected>
#include <iosfwd>
#include <string>
#include <vector>

#include "storage/store.h"

namespace laurel::web {

struct DemoUser {
  std::string username;
  std::string display_name;
  std::string role;
  std::string jurisdiction;
};

const std::vector<DemoUser>& demo_users();

// Runs the demo on an open, empty store. Progress goes to `log`. Returns the number of nominations.
std::expected<int, std::string> run_demo(storage::Store& store, const std::string& password, std::ostream& log);

}  // namespace laurel::web
