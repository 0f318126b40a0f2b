"""The team's cloud resources, one module (or package) per concern, each a ComponentResource under the team."""
