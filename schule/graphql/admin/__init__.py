"""GraphQL: administration (memberships of communes in networks, the Handlungsfeld taxonomy, networks)."""
