// Declarations of the built-in actions, one per file (s3_block_public_access.cpp,
// ...). Each returns its ActionSpec: name, resource types, parameters, IAM
// permissions per step, and a factory. builtin_actions() (registry.h) collects them.
#pragma once

#include "actions/registry.h"

namespace fixgate::actions {

ActionSpec s3_block_public_access_spec();
ActionSpec s3_enable_default_encryption_spec();
ActionSpec s3_remove_public_acl_spec();
ActionSpec ec2_revoke_public_ingress_spec();
ActionSpec iam_deactivate_access_key_spec();
ActionSpec ec2_enable_ebs_default_encryption_spec();
ActionSpec kms_enable_key_rotation_spec();
ActionSpec rds_make_snapshot_private_spec();
ActionSpec ec2_make_snapshot_private_spec();
ActionSpec cloudtrail_enable_log_validation_spec();

}  // namespace fixgate::actions
