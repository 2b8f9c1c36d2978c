"""Operating the platform: backup and restore (with a manifest of digests), scheduled backups with retention."""
