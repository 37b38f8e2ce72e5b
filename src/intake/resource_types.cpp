#include "intake/resource_types.h"

#include <array>
#include <cctype>
#include <string>

#include "intake/intake.h"

namespace fixgate::intake::detail {
namespace {

struct ArnType {
  std::string_view service;
  std::string_view resource_type;  // text before the first ':' or '/' of the resource part
  std::string_view canonical;
};

// Services whose ARN resource part names its type ("security-group/sg-1").
constexpr std::array kArnTypes = {
    ArnType{"ec2", "security-group", "AWS::EC2::SecurityGroup"},
    ArnType{"ec2", "volume", "AWS::EC2::Volume"},
    ArnType{"ec2", "snapshot", "AWS::EC2::Snapshot"},
    ArnType{"ec2", "instance", "AWS::EC2::Instance"},
    ArnType{"ec2", "vpc", "AWS::EC2::VPC"},
    ArnType{"ec2", "subnet", "AWS::EC2::Subnet"},
    ArnType{"ec2", "network-interface", "AWS::EC2::NetworkInterface"},
    ArnType{"ec2", "network-acl", "AWS::EC2::NetworkAcl"},
    ArnType{"ec2", "elastic-ip", "AWS::EC2::EIP"},
    ArnType{"iam", "user", "AWS::IAM::User"},
    ArnType{"iam", "role", "AWS::IAM::Role"},
    ArnType{"iam", "group", "AWS::IAM::Group"},
    ArnType{"iam", "policy", "AWS::IAM::Policy"},
    ArnType{"iam", "instance-profile", "AWS::IAM::InstanceProfile"},
    ArnType{"rds", "db", "AWS::RDS::DBInstance"},
    ArnType{"rds", "dbinstance", "AWS::RDS::DBInstance"},
    ArnType{"rds", "snapshot", "AWS::RDS::DBSnapshot"},
    ArnType{"rds", "cluster", "AWS::RDS::DBCluster"},
    ArnType{"rds", "dbcluster", "AWS::RDS::DBCluster"},
    ArnType{"rds", "cluster-snapshot", "AWS::RDS::DBClusterSnapshot"},
    ArnType{"rds", "dbclustersnapshot", "AWS::RDS::DBClusterSnapshot"},
    ArnType{"kms", "key", "AWS::KMS::Key"},
    ArnType{"kms", "alias", "AWS::KMS::Alias"},
    ArnType{"cloudtrail", "trail", "AWS::CloudTrail::Trail"},
    ArnType{"lambda", "function", "AWS::Lambda::Function"},
    ArnType{"autoscaling", "autoScalingGroup", "AWS::AutoScaling::AutoScalingGroup"},
    ArnType{"cloudformation", "stack", "AWS::CloudFormation::Stack"},
    ArnType{"codebuild", "project", "AWS::CodeBuild::Project"},
    ArnType{"redshift", "cluster", "AWS::Redshift::Cluster"},
    ArnType{"cloudfront", "distribution", "AWS::CloudFront::Distribution"},
    ArnType{"dynamodb", "table", "AWS::DynamoDB::Table"},
    ArnType{"ecr", "repository", "AWS::ECR::Repository"},
    ArnType{"eks", "cluster", "AWS::EKS::Cluster"},
    ArnType{"secretsmanager", "secret", "AWS::SecretsManager::Secret"},
    ArnType{"logs", "log-group", "AWS::Logs::LogGroup"},
    ArnType{"elasticfilesystem", "file-system", "AWS::EFS::FileSystem"},
    ArnType{"ssm", "parameter", "AWS::SSM::Parameter"},
};

struct NativeType {
  std::string_view native;
  std::string_view canonical;
};

// ASFF Resources[].Type names, compared exactly.
constexpr std::array kAsffTypes = {
    NativeType{"AwsAccount", "AWS::::Account"},
    NativeType{"AwsS3Bucket", "AWS::S3::Bucket"},
    NativeType{"AwsEc2SecurityGroup", "AWS::EC2::SecurityGroup"},
    NativeType{"AwsEc2Instance", "AWS::EC2::Instance"},
    NativeType{"AwsEc2Volume", "AWS::EC2::Volume"},
    NativeType{"AwsEc2Vpc", "AWS::EC2::VPC"},
    NativeType{"AwsEc2Subnet", "AWS::EC2::Subnet"},
    NativeType{"AwsEc2NetworkInterface", "AWS::EC2::NetworkInterface"},
    NativeType{"AwsEc2NetworkAcl", "AWS::EC2::NetworkAcl"},
    NativeType{"AwsEc2Eip", "AWS::EC2::EIP"},
    NativeType{"AwsIamUser", "AWS::IAM::User"},
    NativeType{"AwsIamRole", "AWS::IAM::Role"},
    NativeType{"AwsIamGroup", "AWS::IAM::Group"},
    NativeType{"AwsIamPolicy", "AWS::IAM::Policy"},
    NativeType{"AwsIamAccessKey", "AWS::IAM::AccessKey"},
    NativeType{"AwsRdsDbInstance", "AWS::RDS::DBInstance"},
    NativeType{"AwsRdsDbSnapshot", "AWS::RDS::DBSnapshot"},
    NativeType{"AwsRdsDbCluster", "AWS::RDS::DBCluster"},
    NativeType{"AwsRdsDbClusterSnapshot", "AWS::RDS::DBClusterSnapshot"},
    NativeType{"AwsKmsKey", "AWS::KMS::Key"},
    NativeType{"AwsCloudTrailTrail", "AWS::CloudTrail::Trail"},
    NativeType{"AwsLambdaFunction", "AWS::Lambda::Function"},
    NativeType{"AwsSqsQueue", "AWS::SQS::Queue"},
    NativeType{"AwsSnsTopic", "AWS::SNS::Topic"},
    NativeType{"AwsAutoScalingAutoScalingGroup", "AWS::AutoScaling::AutoScalingGroup"},
    NativeType{"AwsCloudFormationStack", "AWS::CloudFormation::Stack"},
    NativeType{"AwsCodeBuildProject", "AWS::CodeBuild::Project"},
    NativeType{"AwsRedshiftCluster", "AWS::Redshift::Cluster"},
    NativeType{"AwsCloudFrontDistribution", "AWS::CloudFront::Distribution"},
    NativeType{"AwsDynamoDbTable", "AWS::DynamoDB::Table"},
    NativeType{"AwsEcrRepository", "AWS::ECR::Repository"},
    NativeType{"AwsEksCluster", "AWS::EKS::Cluster"},
    NativeType{"AwsSecretsManagerSecret", "AWS::SecretsManager::Secret"},
    NativeType{"AwsElbv2LoadBalancer", "AWS::ElasticLoadBalancingV2::LoadBalancer"},
    NativeType{"AwsElbLoadBalancer", "AWS::ElasticLoadBalancing::LoadBalancer"},
    NativeType{"AwsEfsAccessPoint", "AWS::EFS::AccessPoint"},
};

// Wiz entity type / nativeType names, folded (lower case, no '_', '-' or ' ').
constexpr std::array kWizTypes = {
    NativeType{"bucket", "AWS::S3::Bucket"},
    NativeType{"s3bucket", "AWS::S3::Bucket"},
    NativeType{"securitygroup", "AWS::EC2::SecurityGroup"},
    NativeType{"virtualmachine", "AWS::EC2::Instance"},
    NativeType{"ec2instance", "AWS::EC2::Instance"},
    NativeType{"volume", "AWS::EC2::Volume"},
    NativeType{"snapshot", "AWS::EC2::Snapshot"},
    NativeType{"user", "AWS::IAM::User"},
    NativeType{"useraccount", "AWS::IAM::User"},
    NativeType{"role", "AWS::IAM::Role"},
    NativeType{"group", "AWS::IAM::Group"},
    NativeType{"accesskey", "AWS::IAM::AccessKey"},
    NativeType{"account", "AWS::::Account"},
    NativeType{"subscription", "AWS::::Account"},
    NativeType{"kmskey", "AWS::KMS::Key"},
    NativeType{"encryptionkey", "AWS::KMS::Key"},
    NativeType{"rdsinstance", "AWS::RDS::DBInstance"},
    NativeType{"dbinstance", "AWS::RDS::DBInstance"},
    NativeType{"dbsnapshot", "AWS::RDS::DBSnapshot"},
    NativeType{"rdssnapshot", "AWS::RDS::DBSnapshot"},
    NativeType{"serverless", "AWS::Lambda::Function"},
    NativeType{"lambdafunction", "AWS::Lambda::Function"},
    NativeType{"sqsqueue", "AWS::SQS::Queue"},
    NativeType{"queue", "AWS::SQS::Queue"},
    NativeType{"snstopic", "AWS::SNS::Topic"},
    NativeType{"topic", "AWS::SNS::Topic"},
    NativeType{"cloudtrail", "AWS::CloudTrail::Trail"},
    NativeType{"trail", "AWS::CloudTrail::Trail"},
    NativeType{"vpc", "AWS::EC2::VPC"},
    NativeType{"virtualnetwork", "AWS::EC2::VPC"},
    NativeType{"subnet", "AWS::EC2::Subnet"},
};

constexpr std::string_view kAccountIdPrefix = "AWS::::Account:";

bool is_alnum(std::string_view text) {
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Splits "arn:partition:service:region:account:resource"; false when not an ARN.
bool split_arn(std::string_view arn, std::string_view& service, std::string_view& resource) {
  if (arn.substr(0, 4) != "arn:") return false;
  std::array<std::string_view, 5> parts;
  std::size_t start = 4;
  for (std::size_t i = 0; i < 4; ++i) {
    const std::size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return false;
    parts[i] = arn.substr(start, colon - start);
    start = colon + 1;
  }
  service = parts[1];
  resource = arn.substr(start);
  return !service.empty() && !resource.empty();
}

std::string_view elb_type(std::string_view resource) {
  // loadbalancer/app/<name>/<id> and loadbalancer/net/... are v2; loadbalancer/<name> is classic.
  if (resource.substr(0, 13) != "loadbalancer/") return "";
  const std::string_view rest = resource.substr(13);
  if (rest.substr(0, 4) == "app/" || rest.substr(0, 4) == "net/" || rest.substr(0, 4) == "gwy/") {
    return "AWS::ElasticLoadBalancingV2::LoadBalancer";
  }
  return "AWS::ElasticLoadBalancing::LoadBalancer";
}

}  // namespace

bool is_canonical_type(std::string_view type) {
  if (type.substr(0, 5) != "AWS::") return false;
  const std::string_view rest = type.substr(5);
  const std::size_t sep = rest.find("::");
  if (sep == std::string_view::npos) return false;
  const std::string_view service = rest.substr(0, sep);
  const std::string_view name = rest.substr(sep + 2);
  if (name.empty() || !is_alnum(service) || !is_alnum(name)) return false;
  // Only the account type has an empty service part.
  return !service.empty() || name == "Account";
}

std::string_view type_from_arn(std::string_view arn) {
  if (arn.substr(0, kAccountIdPrefix.size()) == kAccountIdPrefix) return "AWS::::Account";
  std::string_view service;
  std::string_view resource;
  if (!split_arn(arn, service, resource)) return "";
  if (service == "s3") return resource.find('/') == std::string_view::npos ? "AWS::S3::Bucket" : "";
  if (service == "sqs") return "AWS::SQS::Queue";
  if (service == "sns") {
    return resource.find(':') == std::string_view::npos ? "AWS::SNS::Topic" : "AWS::SNS::Subscription";
  }
  if (service == "elasticloadbalancing") return elb_type(resource);
  const std::string_view type = resource.substr(0, resource.find_first_of(":/"));
  for (const auto& entry : kArnTypes) {
    if (entry.service == service && entry.resource_type == type) return entry.canonical;
  }
  return "";
}

std::string_view type_from_native(std::string_view native_type) {
  if (native_type.empty()) return "";
  for (const auto& entry : kAsffTypes) {
    if (entry.native == native_type) return entry.canonical;
  }
  if (native_type.size() > 64) return "";
  std::array<char, 64> folded{};
  std::size_t length = 0;
  for (char c : native_type) {
    if (c == '_' || c == '-' || c == ' ') continue;
    folded[length++] = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  const std::string_view key(folded.data(), length);
  for (const auto& entry : kWizTypes) {
    if (entry.native == key) return entry.canonical;
  }
  return "";
}

std::string_view name_from_arn(std::string_view arn) {
  std::string_view service;
  std::string_view resource;
  if (!split_arn(arn, service, resource)) return "";
  const std::size_t sep = resource.find_last_of(":/");
  return sep == std::string_view::npos ? resource : resource.substr(sep + 1);
}

}  // namespace fixgate::intake::detail

namespace fixgate::intake {

std::string canonical_resource_type(std::string_view arn, std::string_view native_type) {
  if (detail::is_canonical_type(native_type)) return std::string(native_type);
  std::string_view type = detail::type_from_arn(arn);
  if (type.empty()) type = detail::type_from_native(native_type);
  return std::string(type);
}

}  // namespace fixgate::intake
