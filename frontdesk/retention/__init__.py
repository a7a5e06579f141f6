"""Retention: visits, ID details and photos, and audit records kept only as long as the district's policy says."""
