/* The one-word answer of systemctl is-active. */

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "parse_int.h"

enum parse_svc
parse_systemctl_active(const char *word)
{
	static const struct {
		const char	*word;
		enum parse_svc	 svc;
	} words[] = {
		{ "active", PARSE_SVC_ACTIVE },
		{ "inactive", PARSE_SVC_INACTIVE },
		{ "failed", PARSE_SVC_FAILED },
		{ "activating", PARSE_SVC_ACTIVATING },
		{ "deactivating", PARSE_SVC_ACTIVATING },
		{ "reloading", PARSE_SVC_ACTIVATING },
		{ "refreshing", PARSE_SVC_ACTIVATING },
	};
	struct span	 w, extra;
	const char	*p, *end;
	size_t		 i;

	if (word == NULL)
		return PARSE_SVC_UNKNOWN;
	p = word;
	end = word + strlen(word);
	if (!parse_field_next(&p, end, &w) || parse_field_next(&p, end, &extra))
		return PARSE_SVC_UNKNOWN;
	for (i = 0; i < sizeof words / sizeof *words; i++) {
		if (parse_span_eq(&w, words[i].word))
			return words[i].svc;
	}
	return PARSE_SVC_UNKNOWN;
}

const char *
parse_svc_name(enum parse_svc svc)
{
	switch (svc) {
	case PARSE_SVC_ACTIVE:
		return "active";
	case PARSE_SVC_INACTIVE:
		return "inactive";
	case PARSE_SVC_FAILED:
		return "failed";
	case PARSE_SVC_ACTIVATING:
		return "activating";
	case PARSE_SVC_UNKNOWN:
		break;
	}
	return "unknown";
}
