/*
 * The one function that turns a string into POSIX shell text. Every value
 * that reaches a shell on a host (paths, unit names, patterns typed in
 * chat) goes through it; nothing else builds shell words from data.
 */
#ifndef OPSBOT_SHQUOTE_H
#define OPSBOT_SHQUOTE_H

#include "buf.h"

/*
 * Appends s to b as one single-quoted word: 'it'\''s'. Safe for any
 * byte string without NUL (newlines, $, `, globs, invalid UTF-8).
 */
void	 shquote_buf(struct buf *b, const char *s);

#endif
