// canonical_resource_type: canonical names as given, then ARNs, then native names.
#include "intake_test_util.h"

namespace fixgate::intake::testing {
namespace {

struct Case {
  const char* arn;
  const char* native;
  const char* expected;
};

TEST(IntakeResourceTypes, FromArns) {
  for (const Case& c : {
           Case{"arn:aws:s3:::my-bucket", "", "AWS::S3::Bucket"},
           Case{"arn:aws:s3:::my-bucket/some/key", "", ""},
           Case{"arn:aws:ec2:us-east-1:111111111111:security-group/sg-1", "", "AWS::EC2::SecurityGroup"},
           Case{"arn:aws:ec2:us-east-1:111111111111:volume/vol-1", "", "AWS::EC2::Volume"},
           Case{"arn:aws:ec2:us-east-1:111111111111:snapshot/snap-1", "", "AWS::EC2::Snapshot"},
           Case{"arn:aws:ec2:us-east-1:111111111111:instance/i-1", "", "AWS::EC2::Instance"},
           Case{"arn:aws:iam::111111111111:user/path/alice", "", "AWS::IAM::User"},
           Case{"arn:aws:iam::111111111111:role/fixgate-remediation", "", "AWS::IAM::Role"},
           Case{"arn:aws:rds:us-east-1:111111111111:db:database-1", "", "AWS::RDS::DBInstance"},
           Case{"arn:aws:rds:us-east-1:111111111111:snapshot:rds:db-2022", "", "AWS::RDS::DBSnapshot"},
           Case{"arn:aws:rds:us-east-1:111111111111:cluster-snapshot:snap", "", "AWS::RDS::DBClusterSnapshot"},
           Case{"arn:aws:kms:us-east-1:111111111111:key/1234abcd", "", "AWS::KMS::Key"},
           Case{"arn:aws:cloudtrail:us-east-1:111111111111:trail/main", "", "AWS::CloudTrail::Trail"},
           Case{"arn:aws:lambda:us-east-1:111111111111:function:fn", "", "AWS::Lambda::Function"},
           Case{"arn:aws:sqs:us-east-1:111111111111:queue-name", "", "AWS::SQS::Queue"},
           Case{"arn:aws:sns:us-east-1:111111111111:topic-name", "", "AWS::SNS::Topic"},
           Case{"arn:aws:sns:us-east-1:111111111111:topic-name:8a21d249", "", "AWS::SNS::Subscription"},
           Case{"arn:aws-us-gov:s3:::gov-bucket", "", "AWS::S3::Bucket"},
           Case{"arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/50dc6c",
                "", "AWS::ElasticLoadBalancingV2::LoadBalancer"},
           Case{"arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/classic-web",
                "", "AWS::ElasticLoadBalancing::LoadBalancer"},
           Case{"AWS::::Account:111111111111", "", "AWS::::Account"},
           Case{"arn:aws:unknownsvc:us-east-1:1:thing/x", "", ""},
           Case{"arn:aws:s3", "", ""},
           Case{"not-an-arn", "", ""},
       }) {
    SCOPED_TRACE(c.arn);
    EXPECT_EQ(canonical_resource_type(c.arn, c.native), c.expected);
  }
}

TEST(IntakeResourceTypes, FromNativeNames) {
  for (const Case& c : {
           Case{"", "AwsS3Bucket", "AWS::S3::Bucket"},
           Case{"", "AwsEc2SecurityGroup", "AWS::EC2::SecurityGroup"},
           Case{"", "AwsIamUser", "AWS::IAM::User"},
           Case{"", "AwsIamAccessKey", "AWS::IAM::AccessKey"},
           Case{"", "AwsAccount", "AWS::::Account"},
           Case{"", "AwsRdsDbSnapshot", "AWS::RDS::DBSnapshot"},
           Case{"", "AwsEc2Volume", "AWS::EC2::Volume"},
           Case{"", "AwsKmsKey", "AWS::KMS::Key"},
           Case{"", "AwsCloudTrailTrail", "AWS::CloudTrail::Trail"},
           Case{"", "bucket", "AWS::S3::Bucket"},
           Case{"", "BUCKET", "AWS::S3::Bucket"},
           Case{"", "securityGroup", "AWS::EC2::SecurityGroup"},
           Case{"", "SECURITY_GROUP", "AWS::EC2::SecurityGroup"},
           Case{"", "virtualMachine", "AWS::EC2::Instance"},
           Case{"", "VIRTUAL_MACHINE", "AWS::EC2::Instance"},
           Case{"", "user", "AWS::IAM::User"},
           Case{"", "accessKey", "AWS::IAM::AccessKey"},
           Case{"", "ACCESS_KEY", "AWS::IAM::AccessKey"},
           Case{"", "account", "AWS::::Account"},
           Case{"", "subscription", "AWS::::Account"},
           Case{"", "AwsSomethingNew", ""},
           Case{"", "", ""},
       }) {
    SCOPED_TRACE(c.native);
    EXPECT_EQ(canonical_resource_type(c.arn, c.native), c.expected);
  }
  EXPECT_EQ(canonical_resource_type("", std::string(200, 'b')), "");
}

TEST(IntakeResourceTypes, CanonicalGivenWinsThenArnThenName) {
  EXPECT_EQ(canonical_resource_type("arn:aws:s3:::b", "AWS::EC2::Instance"), "AWS::EC2::Instance");
  EXPECT_EQ(canonical_resource_type("arn:aws:s3:::b", "AwsEc2Instance"), "AWS::S3::Bucket");
  EXPECT_EQ(canonical_resource_type("", "AWS::::Account"), "AWS::::Account");
  // Not canonical-shaped, so not taken as given.
  EXPECT_EQ(canonical_resource_type("", "AWS::S3"), "");
  EXPECT_EQ(canonical_resource_type("", "AWS::::Bucket"), "");
  EXPECT_EQ(canonical_resource_type("", "AWS::S3::Bucket;rm"), "");
}

}  // namespace
}  // namespace fixgate::intake::testing
