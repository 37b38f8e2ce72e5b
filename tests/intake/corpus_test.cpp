// Every Wiz and ASFF file of the shared corpus: each parses, or is refused with a
// named reason; known values are checked file by file.
#include <algorithm>
#include <set>

#include "intake_test_util.h"

namespace fixgate::intake::testing {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> corpus_json_files() {
  std::vector<std::string> files;
  for (const char* folder : {"wiz", "asff"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(corpus_path(folder))) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(IntakeCorpus, EveryFileParsesOrIsRefusedWithANamedReason) {
  const auto files = corpus_json_files();
  ASSERT_GE(files.size(), 138u) << "corpus went missing?";
  std::set<std::string> malformed_files;
  std::size_t findings_total = 0;
  for (const auto& path : files) {
    SCOPED_TRACE(path);
    const std::string payload = read_file(path);
    const auto findings = parse_payload(payload);
    ASSERT_FALSE(findings.empty());
    findings_total += findings.size();
    for (const auto& finding : findings) {
      ASSERT_FALSE(finding.raw.empty());
      // raw is exact bytes of the payload (whole, or one container element).
      EXPECT_NE(payload.find(finding.raw), std::string::npos);
      if (finding.malformed) {
        EXPECT_FALSE(finding.malformed->field.empty());
        EXPECT_FALSE(finding.malformed->reason.empty());
        malformed_files.insert(std::filesystem::path(path).filename().string());
        continue;
      }
      EXPECT_NE(finding.source, FindingSource::unknown);
      EXPECT_FALSE(finding.id.empty());
      EXPECT_NE(finding.severity, Severity::unknown);
      EXPECT_FALSE(finding.control_ids.empty());
      EXPECT_FALSE(finding.status.empty());
      if (finding.source == FindingSource::asff) {
        EXPECT_FALSE(finding.resource_type.empty()) << finding.native_resource_type << " " << finding.resource_id;
        EXPECT_FALSE(finding.account.empty());
      }
    }
  }
  // Exactly the known-bad inputs are refused: the template (unrendered placeholders),
  // CIS-bad (no GeneratorId) and the two doc samples that are invalid JSON.
  EXPECT_EQ(malformed_files, (std::set<std::string>{"aws-sns-issue-template.mustache.json", "CIS-bad.json",
                                                    "sample-finding-consolidation.json", "sample-finding-nist.json"}));
  EXPECT_GE(findings_total, files.size() + 2);  // the two 2-finding events
}

TEST(IntakeCorpus, WizWebhookOpenAlert) {
  const std::string payload = read_corpus("wiz/panther-webhook-issues/open-alert.json");
  const Finding f = parse_one(payload);
  EXPECT_FALSE(f.malformed);
  EXPECT_EQ(f.source, FindingSource::wiz);
  EXPECT_EQ(f.id, "e3188a71-794c-5ee8-b97c-eb794aa5b752");
  EXPECT_EQ(f.status, "OPEN");
  EXPECT_TRUE(f.open);
  EXPECT_EQ(f.severity, Severity::high);
  EXPECT_EQ(f.severity_label, "HIGH");
  EXPECT_EQ(f.title, "Recon:EC2/PortProbeUnprotectedPort");
  EXPECT_THAT(f.control_ids, ElementsAre("cer-awsguardduty-recon-ec2-portprobeunprotectedport"));
  EXPECT_EQ(f.resource_id, "");  // empty in the payload; not malformed by itself
  EXPECT_EQ(f.resource_arn, "");
  EXPECT_EQ(f.native_resource_type, "virtualMachine");
  EXPECT_EQ(f.resource_type, "AWS::EC2::Instance");
  EXPECT_EQ(f.resource_name, "jenkins-aws");
  EXPECT_EQ(f.cloud_platform, "AWS");
  EXPECT_EQ(f.account, "111111111111");
  EXPECT_EQ(f.region, "us-east-2");
  EXPECT_TRUE(f.projects.empty());  // "projects": ""
  EXPECT_TRUE(f.tags.empty());
  EXPECT_EQ(f.raw, payload);
}

TEST(IntakeCorpus, WizWebhookIssueSeverityWinsOverControlSeverity) {
  const Finding f = parse_one(read_corpus("wiz/panther-webhook-issues/low-severity-open-alert.json"));
  EXPECT_FALSE(f.malformed);
  EXPECT_EQ(f.severity, Severity::low);  // control.severity is HIGH
  EXPECT_TRUE(f.open);
}

TEST(IntakeCorpus, WizWebhookResolvedIsNotOpen) {
  const Finding f = parse_one(read_corpus("wiz/panther-webhook-issues/resolved-alert.json"));
  EXPECT_FALSE(f.malformed);
  EXPECT_EQ(f.status, "Resolved");
  EXPECT_FALSE(f.open);
  EXPECT_EQ(f.account, "984186218765");
}

TEST(IntakeCorpus, WizGraphQlIssues) {
  const Finding open = parse_one(read_corpus("wiz/panther-api-issues/open-alert.json"));
  EXPECT_FALSE(open.malformed);
  EXPECT_EQ(open.source, FindingSource::wiz);
  EXPECT_EQ(open.id, "54321");
  EXPECT_TRUE(open.open);
  EXPECT_EQ(open.severity, Severity::high);
  EXPECT_THAT(open.control_ids, ElementsAre("12345"));
  EXPECT_EQ(open.title, "Alert Name");
  EXPECT_THAT(open.projects, ElementsAre("Project 2"));
  EXPECT_EQ(open.resource_id, "someProviderId");
  EXPECT_EQ(open.resource_name, "someName");
  EXPECT_EQ(open.native_resource_type, "DATA_FINDING");
  EXPECT_EQ(open.resource_type, "");  // not an AWS resource type we know

  const Finding low = parse_one(read_corpus("wiz/panther-api-issues/low-severity-open-alert.json"));
  EXPECT_EQ(low.severity, Severity::low);
  const Finding resolved = parse_one(read_corpus("wiz/panther-api-issues/resolved-alert.json"));
  EXPECT_FALSE(resolved.malformed);
  EXPECT_EQ(resolved.status, "RESOLVED");
  EXPECT_FALSE(resolved.open);
}

TEST(IntakeCorpus, WizTemplateIsRefusedNamingTheField) {
  const Finding f = parse_one(read_corpus("wiz/templates/aws-sns-issue-template.mustache.json"));
  ASSERT_TRUE(f.malformed);
  EXPECT_EQ(f.malformed->field, "issue.status");
  EXPECT_NE(f.malformed->reason.find("{{issue.status}}"), std::string::npos);
  EXPECT_EQ(f.source, FindingSource::wiz);
  EXPECT_EQ(f.id, "{{issue.id}}");  // what could be read is still there
}

TEST(IntakeCorpus, AsffBareFindingS3) {
  const std::string payload = read_corpus("asff/aws-solutions-asr/simdata/afsbp-s3.4.json");
  const Finding f = parse_one(payload);
  EXPECT_FALSE(f.malformed);
  EXPECT_EQ(f.source, FindingSource::asff);
  EXPECT_EQ(f.id,
            "arn:aws:securityhub:us-east-1:111111111111:subscription/aws-foundational-security-best-practices/v/1.0.0/"
            "S3.4/finding/e8e66086-096c-4faf-8a05-52f138b4b748");
  EXPECT_EQ(f.title, "S3.4 S3 buckets should have server-side encryption enabled");
  EXPECT_EQ(f.status, "NEW/FAILED/ACTIVE");
  EXPECT_TRUE(f.open);
  EXPECT_EQ(f.severity, Severity::medium);
  EXPECT_THAT(f.control_ids, ElementsAre("S3.4"));
  EXPECT_EQ(f.resource_arn, "arn:aws:s3:::aes-siem-111111111111-snapshot");
  EXPECT_EQ(f.resource_id, f.resource_arn);
  EXPECT_EQ(f.resource_type, "AWS::S3::Bucket");
  EXPECT_EQ(f.native_resource_type, "AwsS3Bucket");
  EXPECT_EQ(f.resource_name, "aes-siem-111111111111-snapshot");
  EXPECT_EQ(f.account, "111111111111");
  EXPECT_EQ(f.region, "us-east-1");
  EXPECT_EQ(f.cloud_platform, "AWS");
  EXPECT_EQ(f.raw, payload);
}

TEST(IntakeCorpus, AsffCanonicalTypesAcrossTheCorpus) {
  struct Case {
    const char* file;
    const char* type;
  };
  for (const Case& c : {Case{"simdata/afsbp-sqs.1.json", "AWS::SQS::Queue"},
                        Case{"simdata/afsbp-sns.2.json", "AWS::SNS::Topic"},
                        Case{"simdata/cis28.json", "AWS::KMS::Key"},
                        Case{"simdata/afsbp-rds.1.json", "AWS::RDS::DBClusterSnapshot"},
                        Case{"playbook-test-envelopes/afsbp_rds1.json", "AWS::RDS::DBSnapshot"},
                        Case{"playbook-test-envelopes/afsbp_rds6.json", "AWS::RDS::DBInstance"},
                        Case{"simdata/afsbp-iam.8.json", "AWS::IAM::User"},
                        Case{"simdata/afsbp-ec2.2.json", "AWS::EC2::SecurityGroup"},
                        Case{"simdata/afsbp-ec2.8.json", "AWS::EC2::Instance"},
                        Case{"simdata/afsbp-cloudtrail.2.json", "AWS::CloudTrail::Trail"},
                        Case{"simdata/afsbp-lambda.1.json", "AWS::Lambda::Function"},
                        Case{"simdata/afsbp-ec2.7.json", "AWS::::Account"}}) {
    SCOPED_TRACE(c.file);
    const Finding f = parse_one(read_corpus(std::string("asff/aws-solutions-asr/") + c.file));
    EXPECT_FALSE(f.malformed);
    EXPECT_EQ(f.resource_type, c.type);
  }
}

TEST(IntakeCorpus, AsffAccountResource) {
  const Finding f = parse_one(read_corpus("asff/aws-solutions-asr/layer-test-envelopes/afsbp-ec2.7.json"));
  EXPECT_FALSE(f.malformed);
  EXPECT_TRUE(f.open);
  EXPECT_EQ(f.resource_type, "AWS::::Account");
  EXPECT_EQ(f.native_resource_type, "AwsAccount");
  EXPECT_EQ(f.resource_id, "AWS::::Account:111111111111");
  EXPECT_EQ(f.resource_arn, "");
  EXPECT_EQ(f.resource_name, "111111111111");
  EXPECT_THAT(f.control_ids, ElementsAre("EC2.7"));
  EXPECT_EQ(f.severity, Severity::informational);
}

TEST(IntakeCorpus, AsffControlIdsFromEverySourceDeduplicated) {
  const Finding fsbp = parse_one(read_corpus("asff/awsdocs-securityhub-guide/extracted/sample-finding-fsbp.json"));
  EXPECT_THAT(fsbp.control_ids, ElementsAre("CloudTrail.2"));  // three sources, one id
  const Finding pci = parse_one(read_corpus("asff/awsdocs-securityhub-guide/extracted/sample-finding-pcidss.json"));
  EXPECT_THAT(pci.control_ids, ElementsAre("CloudTrail.2", "PCI.CloudTrail.1"));
  const Finding cis = parse_one(read_corpus("asff/awsdocs-securityhub-guide/extracted/sample-finding-cis-1.2.json"));
  EXPECT_THAT(cis.control_ids, ElementsAre("CloudTrail.2", "2.7"));  // RuleId; "rule/2.7" is no control id
}

TEST(IntakeCorpus, EventBridgeMultiSelectGivesTwoFindingsEachWithItsOwnRaw) {
  const std::string payload = read_corpus("asff/aws-solutions-asr/layer-test-envelopes/CIS_1-6-multi-select.json");
  const auto findings = parse_n(payload, 2);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_NE(findings[0].id, findings[1].id);
  EXPECT_NE(findings[0].id.find("3fe13eb6"), std::string::npos);
  EXPECT_NE(findings[1].id.find("524d1058"), std::string::npos);
  EXPECT_EQ(findings[0].status, "NEW/WARNING/ACTIVE");
  EXPECT_EQ(findings[1].status, "RESOLVED/PASSED/ACTIVE");
  EXPECT_EQ(findings[0].severity, Severity::medium);
  EXPECT_EQ(findings[1].severity, Severity::informational);
  for (const auto& f : findings) {
    EXPECT_FALSE(f.malformed);
    EXPECT_FALSE(f.open);  // WARNING and PASSED are not FAILED
    EXPECT_THAT(f.control_ids, ElementsAre("1.6"));
    EXPECT_EQ(f.resource_type, "AWS::::Account");
    // Each raw is that finding's exact JSON text, and parses back to the same finding.
    ASSERT_FALSE(f.raw.empty());
    EXPECT_EQ(f.raw.front(), '{');
    EXPECT_EQ(f.raw.back(), '}');
    EXPECT_NE(payload.find(f.raw), std::string::npos);
    const Finding again = parse_one(f.raw);
    EXPECT_EQ(again.id, f.id);
    EXPECT_EQ(again.raw, f.raw);
  }
}

TEST(IntakeCorpus, CustomActionWithTwoDifferentResources) {
  const auto findings = parse_n(read_corpus("asff/aws-solutions-asr/playbook-test-envelopes/AFSBP-iam.6.json"), 2);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_THAT(findings[0].control_ids, ElementsAre("IAM.6"));
  EXPECT_EQ(findings[0].severity, Severity::critical);
  EXPECT_THAT(findings[1].control_ids, ElementsAre("RDS.4"));
  EXPECT_EQ(findings[1].resource_type, "AWS::RDS::DBClusterSnapshot");
  EXPECT_TRUE(findings[0].open);
  EXPECT_TRUE(findings[1].open);
}

TEST(IntakeCorpus, CisBadIsRefusedButKeepsWhatItCouldRead) {
  const std::string payload = read_corpus("asff/aws-solutions-asr/layer-test-envelopes/CIS-bad.json");
  const Finding f = parse_one(payload);
  ASSERT_TRUE(f.malformed);
  EXPECT_EQ(f.malformed->field, "detail.findings[0].GeneratorId");
  EXPECT_EQ(f.malformed->reason, "is missing");
  EXPECT_EQ(f.source, FindingSource::asff);
  EXPECT_NE(f.id.find("6e842abe-6cbf-4bc1-aa55-3b2ae63aabd6"), std::string::npos);
  EXPECT_EQ(f.account, "111111111111");
  EXPECT_THAT(f.control_ids, ElementsAre("1.3"));
  EXPECT_EQ(f.raw.front(), '{');
  EXPECT_NE(payload.find(f.raw), std::string::npos);
}

TEST(IntakeCorpus, NotifiedButPassedIsNotOpen) {
  const Finding f = parse_one(read_corpus("asff/aws-solutions-asr/simdata/cis1314-save.json"));
  EXPECT_FALSE(f.malformed);
  EXPECT_EQ(f.status, "NOTIFIED/PASSED/ACTIVE");
  EXPECT_FALSE(f.open);
}

TEST(IntakeCorpus, InvalidJsonDocSamplesAreMalformedPayloads) {
  for (const char* file : {"sample-finding-nist.json", "sample-finding-consolidation.json"}) {
    SCOPED_TRACE(file);
    const std::string payload = read_corpus(std::string("asff/awsdocs-securityhub-guide/extracted/") + file);
    const Finding f = parse_one(payload);
    ASSERT_TRUE(f.malformed);
    EXPECT_EQ(f.malformed->field, "payload");
    EXPECT_NE(f.malformed->reason.find("not valid JSON"), std::string::npos);
    EXPECT_EQ(f.raw, payload);
  }
}

}  // namespace
}  // namespace fixgate::intake::testing
