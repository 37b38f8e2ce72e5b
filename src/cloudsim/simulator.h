// fixgate's cloud simulator: a loopback HTTP server that speaks the real AWS wire
// formats for every operation fixgate uses (STS, IAM, EC2, S3, S3 Control, KMS,
// RDS, CloudTrail, Tagging), keeps state, verifies SigV4 signatures and injects
// faults. The demo and end-to-end tests run against it; the official AWS SDK for
// JavaScript keeps it honest (tests/peers/aws-sdk-sim).
//
// Routing: the SigV4 credential scope's service picks the protocol; the Query
// Action, the X-Amz-Target or the S3 method + subresource picks the operation.
// S3 accepts path-style and virtual-host-style (bucket.s3.<anything>, bucket.localhost).
// Every call acts on the caller's account: the owner of the long-term key, or
// the account of the role an AssumeRole session belongs to.
//
// Admin endpoints (no signature; the server listens on 127.0.0.1 only and also
// refuses admin calls from any other peer address):
//   GET    /__sim/state            the world as seed-shaped JSON (no secrets)
//   POST   /__sim/seed             replace the world with the posted seed JSON
//   POST   /__sim/reset            reload the seed the simulator started with;
//                                  clears sessions, faults and counters
//   GET    /__sim/calls            {"counts":{"ec2:RevokeSecurityGroupIngress":1,...},
//                                   "log":[{operation, account, principal, status}...]}
//   DELETE /__sim/calls            zero the counters and the log
//   GET    /__sim/faults           the active fault rules
//   POST   /__sim/faults           add a rule (see faults.h for the JSON shape)
//   DELETE /__sim/faults           clear every rule
//   GET    /__sim/sessions         {"sessions":[{access_key_id, account, role, session_name,
//                                   source_identity, tags, expiration}...]} (no secrets)
//   POST   /__sim/sessions/expire  make every issued session credential expired
//   GET    /__sim/operations       every simulated "service:Operation"
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "cloudsim/faults.h"
#include "cloudsim/state.h"
#include "core/result.h"

namespace fixgate::cloudsim {

struct SimulatorOptions {
  // The simulator's clock (signature skew, session expiry, "now-" seed dates).
  // Defaults to the system clock.
  std::function<TimePoint()> clock;
};

class Simulator {
 public:
  // Builds a simulator over a seed (see state.h); fails with cloudsim.seed naming
  // the bad field. The seed is kept so reset() can reload it.
  static Result<std::unique_ptr<Simulator>> create(const nlohmann::json& seed, SimulatorOptions options = {});
  static Result<std::unique_ptr<Simulator>> create_from_file(const std::string& seed_path,
                                                             SimulatorOptions options = {});
  ~Simulator();  // stops the server if running
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Binds 127.0.0.1:port (0 = an ephemeral port) and serves on a background
  // thread. Returns the bound port, or cloudsim.bind when the port is taken.
  Result<int> start(int port = 0);
  // Stops serving and joins the server thread. Idempotent.
  void stop();
  int port() const;
  std::string endpoint() const;  // "http://127.0.0.1:<port>"

  // Fault rules, as through POST/DELETE /__sim/faults.
  void add_fault(FaultSpec fault);
  void clear_faults();

  // Authenticated calls that reached an operation, keyed "service:Operation"
  // (S3 Control is "s3control:..."); faulted calls count too.
  std::map<std::string, int> call_counts() const;
  int call_count(const std::string& service_operation) const;
  void clear_calls();

  nlohmann::json state_json() const;
  // Issued AssumeRole sessions, as GET /__sim/sessions (no secrets).
  nlohmann::json sessions_json() const;
  // Replaces the world (sessions, faults and counters are kept).
  Result<void> load_seed(const nlohmann::json& seed);
  // Reloads the original seed and clears sessions, faults and counters.
  Result<void> reset();
  void expire_sessions();

  // Direct access for tests: runs `fn` under the state lock.
  void with_world(const std::function<void(World&)>& fn);

 private:
  struct Impl;
  explicit Simulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fixgate::cloudsim
