/*
 * "Did you mean" for every place a person types a name: commands, config
 * keys, role names. One edit-distance rule for all of them.
 */
#ifndef OPSBOT_SUGGEST_H
#define OPSBOT_SUGGEST_H

#include <stddef.h>

/* Edit distance (insert, delete, substitute, swap adjacent), capped at 100. */
int	 suggest_distance(const char *, const char *);

/*
 * The candidate closest to word, or NULL when none is close enough to be
 * a plausible typo. Candidates is a NULL-terminated array; the result is
 * one of its strings (borrowed).
 */
const char *suggest_pick(const char *word, const char *const *candidates);

#endif
