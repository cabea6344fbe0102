#ifndef HUEY_CLIBPQ_SHIM_H
#define HUEY_CLIBPQ_SHIM_H
/* libpq, PostgreSQL's C client (Debian/Ubuntu libpq-dev: headers in /usr/include/postgresql,
   found through pkg-config libpq). */
#include <libpq-fe.h>

/* The error fields of a server error (character macros Swift does not import). */
static const int huey_pg_diag_sqlstate = PG_DIAG_SQLSTATE;
static const int huey_pg_diag_message_primary = PG_DIAG_MESSAGE_PRIMARY;
static const int huey_pg_diag_message_detail = PG_DIAG_MESSAGE_DETAIL;
static const int huey_pg_diag_message_hint = PG_DIAG_MESSAGE_HINT;
#endif
