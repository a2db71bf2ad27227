/*
 * What /status and the metrics say of the store: its size on disk (the
 * database and its write-ahead log) and sqlite's version.
 */

#include <sys/stat.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "store.h"
#include "xmalloc.h"

int64_t
store_size_bytes(const struct store *s)
{
	struct stat	 st;
	int64_t		 total = 0;
	char		*wal;

	if (stat(store_path(s), &st) == 0)
		total += st.st_size;
	xasprintf(&wal, "%s-wal", store_path(s));
	if (stat(wal, &st) == 0)
		total += st.st_size;
	free(wal);
	return total;
}

const char *
store_library_version(void)
{
	return sqlite3_libversion();
}
