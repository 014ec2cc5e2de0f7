"""What every domain package of the API builds on (see docs/API.md, "Code layout").

- fields:      `root_field(op, field)` (a Query root field and the Op it needs),
               `related_field(Type)` (a foreign key, batched by the loaders)
- mutations:   `ServiceMutation` (the mutation base: Op, one service call, payload errors)
- errors:      top-level errors (`forbidden`, `NotFound`, …) and the payload `FieldError`
- permissions: the check of every root field against principal.MATRIX before execution
- relay:       global IDs, `Node`, connections, pagination, `pk_of`
- loaders:     per-request batching (no N+1)
- filters:     django-filter FilterSets fed with a GraphQL filter input
- enums, personal, limits, ratelimit, views: enums from TextChoices, masking, request
  limits, rate limits, the /graphql/ endpoint
"""
