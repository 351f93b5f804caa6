"""GraphQL: the knowledge-transfer read side (peers, recommendations, experts, coverage, network statistics)."""
