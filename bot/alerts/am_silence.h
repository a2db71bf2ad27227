/*
 * Silences mirrored to an Alertmanager (API v2), so that its other
 * receivers go quiet too: the request body and the answer (pure), and
 * one HTTP call to run on a worker thread (never on the loop thread).
 *   POST   {api}/api/v2/silences        -> {"silenceID": "..."}
 *   DELETE {api}/api/v2/silence/{id}    -> expires it
 */
#ifndef OPSBOT_AM_SILENCE_H
#define OPSBOT_AM_SILENCE_H

#include <stdint.h>

#include "http.h"
#include "labels.h"

/*
 * The body of POST /api/v2/silences: the same matchers (=, !=, =~, !~
 * as isEqual/isRegex), startsAt/endsAt in RFC 3339, createdBy, comment.
 * Caller frees.
 */
char	*am_silence_body(const struct matchers *, int64_t starts_ms,
	    int64_t ends_ms, const char *created_by, const char *comment);
/* The silenceID in Alertmanager's answer (caller frees), or NULL. */
char	*am_silence_id(const char *answer);

/* One request; everything in it is owned (am_call_free). */
struct am_call {
	char			*method;
	char			*url;
	char			*body;		/* or NULL */
	char			*auth;		/* "Authorization: ...", or NULL */
	struct http_response	 resp;
	int			 rc;		/* http_request's */
	void			*arg;		/* the caller's */
	int64_t			 silence_id;	/* ours */
};

/*
 * A call to api (the base URL, e.g. "http://am:9093") + path; token
 * (or NULL) is sent as a bearer token. Caller frees with am_call_free.
 */
struct am_call *am_call_new(const char *method, const char *api,
	    const char *path, const char *body, const char *token);
/* Runs the call: a workers_work_cb, on a worker thread. */
void	 am_call_work(void *call);
/*
 * 0 when Alertmanager answered 2xx; else -1 and *cause (caller frees; may
 * be NULL), e.g. "Alertmanager at http://am:9093 answered 400: ...".
 */
int	 am_call_result(const struct am_call *, char **cause);
void	 am_call_free(struct am_call *);

#endif /* OPSBOT_AM_SILENCE_H */
