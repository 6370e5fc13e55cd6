"""Certificate pages, one module per audience: `public` (verification), `trainee` (downloads),
`manage` (revoke, reissue), `batches` (bulk issuance), `exports` (registers and archives)."""
