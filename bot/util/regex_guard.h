/*
 * A cost guard for POSIX extended regexes typed by people (matchers of
 * /silence and of the routing config): glibc's regcomp() copies the
 * subtree under x+ and x{n,m} and loops over empty matches take it
 * exponential time, so such a regex is refused before it is compiled.
 */
#ifndef OPSBOT_REGEX_GUARD_H
#define OPSBOT_REGEX_GUARD_H

#include <regex.h>

struct buf;

/*
 * NULL when re is cheap enough to compile and run, else a static
 * sentence saying why not ("regex is too complex (...)"); also refuses
 * back-references and a lone ) that would escape ^( )$ anchors.
 */
const char	*regex_guard_check(const char *re);

/* Appends "bad regex: <regerror() text, first letter lowercased>" to b. */
void		 regex_guard_error(struct buf *b, int rc, const regex_t *re);

#endif
