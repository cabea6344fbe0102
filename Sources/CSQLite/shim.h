#ifndef HUEY_CSQLITE_SHIM_H
#define HUEY_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
