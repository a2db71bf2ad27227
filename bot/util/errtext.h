/*
 * Quoting things people sent us inside error messages (errtext.c), so a
 * reason stays one readable line whatever the input was.
 */
#ifndef OPSBOT_ERRTEXT_H
#define OPSBOT_ERRTEXT_H

#include "buf.h"

struct cJSON;

#define ERRTEXT_MAX	64	/* bytes of input shown */

/* What a JSON value is, for "expected a string, got a number". */
const char *errtext_json_kind(const struct cJSON *);
/*
 * Appends s: at most ERRTEXT_MAX bytes (cut on a UTF-8 boundary, then
 * "..."), control bytes as \xNN. quoted: in double quotes, with " and \
 * escaped; otherwise bare, as the person typed it.
 */
void	 errtext_add(struct buf *, const char *s, int quoted);

#endif
