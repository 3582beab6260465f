// A fresh store in a temporary folder, the shipped catalog, and demo users, for storage tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "storage/store.h"
#include "tests/engine/fixture.h"

namespace laurel::storage::testing {

using engine::testing::kGuazhou;
using engine::testing::kJiuquan;
using engine::testing::kShuangta;

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override { store.reset(); }

  virtual Options options() const;
  void reopen();
  Caller admin_caller() const;
  Caller as(const std::string& user) const;
  engine::Actor actor(const std::string& user) const;
  void add_user(const std::string& name, std::vector<engine::RoleGrant> roles);

  CommandResult run(const std::string& user, const std::string& id, engine::Command cmd);
  CommandResult run(const std::string& user, const std::string& id, const std::string& action);
  std::string create_nomination(const std::string& level = "county", const std::string& category = "family");
  void attach_all(const std::string& id);
  // Creates and takes a nomination through to shortlisted.
  std::string shortlisted(const std::string& level = "county");

  TempDir dir;
  std::unique_ptr<Store> store;
  engine::Time now = engine::testing::kStart;
  int files = 0;
};

// Every row of every projection table, for comparing a live database with its rebuild.
std::string dump_projections(const std::string& db_path);

}  // namespace laurel::storage::testing
