"""The real Pulumi CLI in the loop: run offline (cli), Python programs served by the SDK's language server (inline),
the policy pack started as the Python host starts it (policy_pack)."""
