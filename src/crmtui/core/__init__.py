"""The CRM core: models, database, services. Knows nothing about terminals."""
