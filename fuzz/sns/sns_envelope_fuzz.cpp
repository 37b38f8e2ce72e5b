// libFuzzer target for the SNS envelope parser and everything the verifier does
// before the network: string-to-sign, URL validation, base64 and the verifier's
// ordering of checks (its fetcher never reaches the network).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sns/sns_message.h"
#include "sns/sns_url.h"
#include "sns/verifier.h"

namespace {

class NoNetwork final : public fixgate::sns::CertFetcher {
 public:
  fixgate::Result<std::string> fetch(const std::string& url) override {
    // Only an allowed certificate URL may ever reach a fetcher.
    if (!fixgate::sns::validate_cert_url(url).ok() && !fixgate::sns::validate_subscribe_url(url).ok()) __builtin_trap();
    return fixgate::make_error("sns.fetch_failed", "offline");
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = fixgate::sns::parse_sns_message(input);
  (void)fixgate::sns::validate_cert_url(input);
  (void)fixgate::sns::validate_subscribe_url(input);
  (void)fixgate::sns::decode_base64(input);
  if (!parsed.ok()) return 0;
  const std::string text = fixgate::sns::string_to_sign(*parsed);
  if (text.find(parsed->message) == std::string::npos) __builtin_trap();
  static NoNetwork fetcher;
  static fixgate::sns::SnsVerifier verifier(fetcher);
  auto verified = verifier.verify(*parsed);
  if (verified.ok()) __builtin_trap();  // nothing can verify without a certificate
  return 0;
}
