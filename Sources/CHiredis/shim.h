#ifndef HUEY_CHIREDIS_SHIM_H
#define HUEY_CHIREDIS_SHIM_H
/* hiredis 0.14 (Debian/Ubuntu libhiredis-dev): the synchronous API only. */
#include <hiredis/hiredis.h>
#endif
