"""GraphQL: moderation (review queue, workflow steps, versions, audit log)."""
