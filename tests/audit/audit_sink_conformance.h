// The audit-sink conformance suite: the cases every hash-chained audit store
// must pass, written once (audit_sink_conformance.cpp) and instantiated per
// store — SQLite in audit_test (sqlite_audit_log_test.cpp), PostgreSQL in
// pgaudit_test (pg_audit_log_test.cpp). A store's own behaviour (its SQL
// dialect, its server, its deployment) stays in that store's test file.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "core/result.h"
#include "test_support.h"

namespace fixgate::audit::testing {

struct StoreOpen {
  const Clock* clock = nullptr;  // nullptr: the store's own time source
  bool read_only = false;
  // The case is about ordering, not durability: the store may skip its fsyncs.
  bool fast_commits = false;
};

// One empty store location, made for one test case, and raw access to it
// through the store's own SQL client — how an attacker with the owner's rights
// reaches the rows behind the library's back.
class AuditStoreUnderTest {
 public:
  virtual ~AuditStoreUnderTest() = default;

  // A log at this location; creates it unless read_only.
  virtual Result<std::unique_ptr<AuditSink>> open(const StoreOpen& how) = 0;
  // Runs `statements` with the append-only guards in force; "" on success,
  // else the store's message.
  virtual std::string sql(const std::string& statements) = 0;
  // Runs `statements` after getting past the guards as the owner can
  // (dropping or disabling the triggers); "" on success.
  virtual std::string tamper(const std::string& statements) = 0;
  // What verify() warns once tamper() has got past the guards.
  virtual std::string guards_lifted_warning() const = 0;
  // Statements of the store's own dialect that would rewrite or empty the log
  // (record 3 exists), all of which the guards must refuse.
  virtual std::vector<std::string> dialect_rewrites() const = 0;
};

// The error code with which a factory says "this store cannot run here, and
// that is allowed" (a peer missing under FIXGATE_SKIP_PEERS): the case skips.
// Any other error fails the case.
inline constexpr const char* kStoreSkipped = "test.skip";

struct StoreKind {
  std::string name;  // the instantiation's name: sqlite, postgres
  std::function<Result<std::unique_ptr<AuditStoreUnderTest>>()> make;

  friend void PrintTo(const StoreKind& kind, std::ostream* out) { *out << kind.name; }
};

inline std::string store_kind_name(const ::testing::TestParamInfo<StoreKind>& info) { return info.param.name; }

// What a case over one store works with; a mixin, so that a store's own
// fixture (PgSuite) has the same helpers as the conformance suite.
class StoreCase {
 protected:
  // Opens the store with clock_ unless `how` names a clock; nullptr (and a
  // recorded failure) when it cannot.
  std::unique_ptr<AuditSink> open_log(StoreOpen how = {});
  // Ten records (odd seqs "decision", even "action_result", correlation
  // corr-<seq>, finding finding-x), then the log is closed so raw SQL can
  // tamper with it.
  void write_ten();
  // verify() through a fresh read-only handle.
  VerifyReport verify_store();

  FixedClock clock_;
  std::unique_ptr<AuditStoreUnderTest> store_;
};

class AuditSinkConformance : public ::testing::TestWithParam<StoreKind>, protected StoreCase {
 protected:
  void SetUp() override;
};

}  // namespace fixgate::audit::testing
