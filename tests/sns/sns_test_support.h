// Test-only helpers: an in-memory CertFetcher and a throwaway RSA signer with its
// own self-signed certificate, so tests can produce correctly signed SNS
// messages of every type (the corpus has only real Notifications).
#pragma once

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "sns/cert_fetcher.h"
#include "sns/sns_message.h"

namespace fixgate::sns::testing {

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string corpus_dir() { return std::string(FIXGATE_SHARED_DIR) + "/corpus/sns/real-signed"; }
inline std::string corpus_cert_pem() {
  return read_file(corpus_dir() + "/certs/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem");
}
inline const char* kCorpusCertUrl =
    "https://sns.us-east-2.amazonaws.com/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem";

// Serves fixed bodies by URL and records every URL it was asked for.
class FakeFetcher final : public CertFetcher {
 public:
  void serve(const std::string& url, std::string body) {
    std::lock_guard lock(mutex_);
    bodies_[url] = std::move(body);
  }
  Result<std::string> fetch(const std::string& url) override {
    std::lock_guard lock(mutex_);
    requested_.push_back(url);
    auto it = bodies_.find(url);
    if (it == bodies_.end()) return make_error("sns.fetch_failed", "GET " + url + " returned HTTP 404");
    return it->second;
  }
  std::vector<std::string> requested() const {
    std::lock_guard lock(mutex_);
    return requested_;
  }
  size_t count() const {
    std::lock_guard lock(mutex_);
    return requested_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string> bodies_;
  std::vector<std::string> requested_;
};

inline std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// An RSA-2048 key and a self-signed certificate valid in [not_before, not_after].
class TestSigner {
 public:
  // `san`, when given, becomes a subjectAltName (e.g. "IP:127.0.0.1") so the
  // certificate can also serve TLS on loopback.
  TestSigner(std::chrono::system_clock::time_point not_before, std::chrono::system_clock::time_point not_after,
             const char* san = nullptr)
      : key_(EVP_RSA_gen(2048), EVP_PKEY_free), cert_(X509_new(), X509_free) {
    X509* c = cert_.get();
    X509_set_version(c, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c), 1);
    ASN1_TIME_set(X509_getm_notBefore(c), std::chrono::system_clock::to_time_t(not_before));
    ASN1_TIME_set(X509_getm_notAfter(c), std::chrono::system_clock::to_time_t(not_after));
    X509_set_pubkey(c, key_.get());
    X509_NAME* name = X509_get_subject_name(c);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("sns.amazonaws.com"),
                               -1, -1, 0);
    X509_set_issuer_name(c, name);
    if (san != nullptr) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san);
      X509_add_ext(c, ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(c, key_.get(), EVP_sha256());
  }

  std::string key_pem() const {
    std::unique_ptr<BIO, int (*)(BIO*)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(n));
  }

  std::string cert_pem() const {
    std::unique_ptr<BIO, int (*)(BIO*)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_X509(bio.get(), cert_.get());
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(n));
  }

  // Base64 SHA1withRSA (version "1") or SHA256withRSA (version "2") signature.
  std::string sign(const std::string& text, const std::string& version) const {
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_DigestSignInit(ctx.get(), nullptr, version == "1" ? EVP_sha1() : EVP_sha256(), nullptr, key_.get());
    size_t length = 0;
    EVP_DigestSign(ctx.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(text.data()), text.size());
    std::string signature(length, '\0');
    EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                   reinterpret_cast<const unsigned char*>(text.data()), text.size());
    signature.resize(length);
    return base64(signature);
  }

  // Fills Signature (and SignatureVersion) of `m` so it verifies.
  void sign_message(SnsMessage& m, const std::string& version = "2") const {
    m.signature_version = version;
    m.signature = sign(string_to_sign(m), version);
  }

 private:
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key_;
  std::unique_ptr<X509, void (*)(X509*)> cert_;
};

// The JSON an SNS HTTP subscription would POST for `m`.
inline std::string to_json(const SnsMessage& m) {
  nlohmann::json j;
  j["Type"] = to_string(m.type);
  j["MessageId"] = m.message_id;
  j["TopicArn"] = m.topic_arn;
  if (m.subject) j["Subject"] = *m.subject;
  j["Message"] = m.message;
  j["Timestamp"] = m.timestamp;
  j["SignatureVersion"] = m.signature_version;
  j["Signature"] = m.signature;
  j["SigningCertURL"] = m.signing_cert_url;
  if (m.type == MessageType::notification) {
    if (!m.unsubscribe_url.empty()) j["UnsubscribeURL"] = m.unsubscribe_url;
  } else {
    j["SubscribeURL"] = m.subscribe_url;
    j["Token"] = m.token;
  }
  return j.dump(2);
}

// A SubscriptionConfirmation for `topic`, unsigned; its cert URL is `cert_url`.
inline SnsMessage make_confirmation(const std::string& topic, const std::string& cert_url) {
  SnsMessage m;
  m.type = MessageType::subscription_confirmation;
  m.message_id = "165545c9-2a5c-472c-8df2-7ff2be2b3b1b";
  m.topic_arn = topic;
  m.token = "2336412f37fb687f5d51e6e2425f004aed";
  m.message = "You have chosen to subscribe to the topic " + topic +
              ".\nTo confirm the subscription, visit the SubscribeURL included in this message.";
  m.subscribe_url = "https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=" + topic +
                    "&Token=" + m.token;
  m.timestamp = "2026-04-26T20:45:04.751Z";
  m.signing_cert_url = cert_url;
  return m;
}

}  // namespace fixgate::sns::testing
