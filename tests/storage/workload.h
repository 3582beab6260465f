// A realistic command mix for the kill test, the fault tests and the storage benchmark: the users of
// the demo county (瓜州县) and the journey of one county family nomination through the store, from
// creation through its materials, submission, acceptance and three score sheets to the shortlist.
// Each step is one CommandRequest carrying the expected version, as the web layer sends it.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "storage/store.h"

namespace laurel::storage::testing {

// unit (nominator at 双塔乡), county_reviewer, county_approver, p1..p3 (panelists at 瓜州县).
std::vector<User> workload_users();
// Creates them as the administrator; they all get `password`.
std::expected<void, std::string> add_workload_users(Store& store, engine::Time now,
                                                    const std::string& password = "a long enough password 1");

// The caller for one of workload_users() (its roles are known without a read).
Caller workload_caller(const std::string& username);

// The number of steps of a journey (create, one attach per required file, submit, accept, three
// scores, close_evaluation).
int journey_length(const engine::Catalog& catalog);

// Step `step` (0 = create) of the journey of nomination `id` at `version`; `salt` makes the
// attachments' hashes distinct. nullopt past the end.
std::optional<CommandRequest> journey_step(const engine::Catalog& catalog, int step, const std::string& id,
                                           std::int64_t version, engine::Time now, std::uint64_t salt);

}  // namespace laurel::storage::testing
