/*
 * Streaming HTTP for worker threads: the body is handed to a sink chunk
 * by chunk as it arrives, and the sink can stop the transfer (a log
 * search that has its N lines does not read the other million). One
 * easy handle per call: no connection is kept.
 */
#ifndef OPSBOT_HTTP_STREAM_H
#define OPSBOT_HTTP_STREAM_H

#include <stddef.h>

/* Takes len bytes of body; returns 0 to go on, 1 to stop reading. */
typedef int (*http_sink_fn)(void *arg, const char *data, size_t len);

struct http_stream_result {
	long	 status;	/* 0: no response */
	int	 stopped;	/* the sink stopped it (not an error) */
	int	 timed_out;	/* the deadline passed */
	int	 cancelled;	/* req->cancel said so */
	char	 error[256];	/* transport error, or "" */
};

struct http_stream_req {
	const char		*method;	/* "GET" or "POST" */
	const char		*url;
	const char		*body;		/* POST: form-encoded, or NULL */
	const char *const	*headers;	/* "Name: value", NULL-ended */
	const char		*user;		/* Basic auth, or NULL */
	const char		*password;
	long			 timeout_ms;	/* the whole transfer */
	/*
	 * Asked about once a second and while data flows, or NULL: 1 ends
	 * the transfer (http_stream returns -1, r->cancelled set).
	 */
	int			(*cancel)(void *arg);
	void			*cancel_arg;
};

/*
 * Sends req and hands the body to sink as it arrives (r->status is set
 * before the first call). Returns 0 when a response came (whatever its
 * status, or stopped by the sink), -1 with r->error set.
 */
int	 http_stream(const struct http_stream_req *req, http_sink_fn sink,
	    void *arg, struct http_stream_result *r);

#endif
