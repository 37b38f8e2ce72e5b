// Cost of what every AWS call pays before it reaches the network: SigV4 signing
// (key derivation + canonical request + HMAC), serialisation of typical requests,
// and parsing of a typical error envelope.
#include <benchmark/benchmark.h>

#include "aws/client.h"
#include "aws/errors.h"
#include "aws/operations.h"
#include "aws/sigv4.h"
#include "aws/sts.h"

using namespace fixgate::aws;

namespace {

SigningParams params(const char* service) {
  SigningParams p = SigningParams::for_service(service, "us-east-1");
  p.access_key_id = "AKIDEXAMPLE";
  p.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  p.session_token = "FwoGZXIvYXdzEFixgateBenchSessionToken";
  p.time = parse_amz_date("20150830T123600Z").value();
  p.add_content_sha256 = true;
  return p;
}

HttpRequest sts_request() {
  HttpRequest r;
  r.method = "POST";
  r.path = "/";
  r.headers = {{"Host", "sts.us-east-1.amazonaws.com"},
               {"Content-Type", "application/x-www-form-urlencoded"},
               {"Content-Length", "354"}};
  r.body =
      "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Ffixgate-remediator"
      "&RoleSessionName=fixgate-c0ffee&DurationSeconds=900&ExternalId=ext-7f3a&SourceIdentity=fixgate-c0ffee";
  return r;
}

void BM_SignQueryRequest(benchmark::State& state) {
  const HttpRequest base = sts_request();
  const SigningParams p = params("sts");
  for (auto _ : state) {
    HttpRequest r = base;
    auto ok = sign_request(r, p);
    benchmark::DoNotOptimize(ok);
  }
  state.SetLabel("STS AssumeRole, headers + body hash");
}
BENCHMARK(BM_SignQueryRequest);

void BM_SignS3Get(benchmark::State& state) {
  HttpRequest base;
  base.method = "GET";
  base.path = "/";
  base.query = {{"publicAccessBlock", ""}};
  base.headers = {{"Host", "fixgate-logs.s3.us-east-1.amazonaws.com"}};
  const SigningParams p = params("s3");
  for (auto _ : state) {
    HttpRequest r = base;
    auto ok = sign_request(r, p);
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_SignS3Get);

void BM_SigningKeyOnly(benchmark::State& state) {
  const SigningParams p = params("sts");
  for (auto _ : state) benchmark::DoNotOptimize(signing_key(p.secret_access_key, p.time, p.region, p.service));
}
BENCHMARK(BM_SigningKeyOnly);

void BM_PrepareAssumeRole(benchmark::State& state) {
  ClientConfig config;
  config.region = "us-east-1";
  AwsClient client(config);
  Credentials creds;
  creds.access_key_id = "AKIDEXAMPLE";
  creds.secret_access_key = "secret";
  creds.session_token = "token";
  AssumeRoleRequest request;
  request.role_arn = "arn:aws:iam::123456789012:role/fixgate-remediator";
  request.role_session_name = "fixgate-c0ffee";
  request.external_id = "ext";
  request.tags = {{"finding", "wiz-1"}};
  const auto time = parse_amz_date("20150830T123600Z").value();
  for (auto _ : state) {
    auto prepared = client.prepare(assume_role_operation(request), creds, time);
    benchmark::DoNotOptimize(prepared);
  }
  state.SetLabel("build + serialise + sign, no I/O");
}
BENCHMARK(BM_PrepareAssumeRole);

void BM_ParseErrorEnvelope(benchmark::State& state) {
  const std::string body =
      "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
      "<Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole</Message></Error>"
      "<RequestId>8088f6eb-b7fb-11e2-8d25-4b9f3b52b80f</RequestId></ErrorResponse>";
  for (auto _ : state) benchmark::DoNotOptimize(parse_error_response(403, {}, body));
}
BENCHMARK(BM_ParseErrorEnvelope);

}  // namespace
