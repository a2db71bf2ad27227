/*
 * fake-mattermost --client: a minimal Mattermost websocket client for the
 * self-test. It authenticates (a header at the upgrade, or the challenge),
 * checks that event seqs follow each other, and can resume its connection
 * id once; fakeclient does the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-mattermost.h"
#include "fakeclient.h"

static struct {
	const char *token, *scheme, *challenge;
	int resume, resume_delay_ms, resumed;
	char base[1024]; /* the path without its query: a resume's */
	char cid[80];
	long long expect;
	lws_sorted_usec_list_t sul_resume;
} cl;

/* Follows the event sequence of a message (already printed). */
static void
client_message(void)
{
	const cJSON *seqj;
	const char *event;
	cJSON *j;

	if (fcl.rx_binary)
		return;
	j = cJSON_ParseWithLength(fcl.rx.p ? fcl.rx.p : "", fcl.rx.len);
	event = jstr(j, "event");
	seqj = cJSON_GetObjectItemCaseSensitive(j, "seq");
	if (event && cJSON_IsNumber(seqj)) {
		long long seq = (long long)seqj->valuedouble;

		if (!strcmp(event, "hello")) {
			const char *id = jstr(
			    cJSON_GetObjectItemCaseSensitive(j, "data"),
			    "connection_id");

			snprintf(cl.cid, sizeof(cl.cid), "%s", id ? id : "");
			if (seq != 0)
				printf("# seq-gap expected 0 got %lld\n", seq);
		} else if (seq != cl.expect)
			printf("# seq-gap expected %lld got %lld\n", cl.expect,
			       seq);
		cl.expect = seq + 1;
	}
	cJSON_Delete(j);
}

static void
client_resume(lws_sorted_usec_list_t *sul)
{
	snprintf(fcl.path, sizeof(fcl.path),
	         "%s?connection_id=%s&sequence_number=%lld", cl.base, cl.cid,
	         cl.expect);
	printf("# resume %s\n", fcl.path);
	client_connect();
}

/* The socket is gone: resume once if asked to, else finish. */
static void
client_gone(void)
{
	fcl.wsi = NULL;
	client_out_free();
	if (!fcl.exiting && cl.resume && !cl.resumed && cl.cid[0]) {
		cl.resumed = 1;
		lws_sul_schedule(fcl.cx, 0, &cl.sul_resume, client_resume,
		                 (lws_usec_t)cl.resume_delay_ms *
		                     LWS_US_PER_MS);
		return;
	}
	fcl.done = 1;
}

/* The token at the upgrade; the challenge as the first frame. */
static int
client_event(struct lws *wsi, enum lws_callback_reasons reason, void *in,
             size_t len)
{
	if (reason == LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER &&
	    cl.token) {
		unsigned char **p = (unsigned char **)in;
		char v[600];
		int n = snprintf(v, sizeof(v), "%s %s", cl.scheme, cl.token);

		if (lws_add_http_header_by_name(
		        wsi, (const unsigned char *)"authorization:",
		        (unsigned char *)v, n, p, *p + len))
			return -1;
	}
	if (reason == LWS_CALLBACK_CLIENT_ESTABLISHED && cl.challenge) {
		cJSON *c = cJSON_CreateObject(), *d;
		char *s;

		cJSON_AddNumberToObject(c, "seq", 1);
		cJSON_AddStringToObject(c, "action",
		                        "authentication_challenge");
		d = cJSON_AddObjectToObject(c, "data");
		cJSON_AddStringToObject(d, "token", cl.challenge);
		s = json_text(c);
		client_queue(s);
		free(s);
		cJSON_Delete(c);
	}
	return 0;
}

int
client_main(int argc, char **argv)
{
	const struct fh_opt opts[] = {
		{ "--resume", FH_FLAG, &cl.resume },
		{ "--token", FH_STR, &cl.token },
		{ "--scheme", FH_STR, &cl.scheme },
		{ "--challenge", FH_STR, &cl.challenge },
		{ "--resume-delay-ms", FH_INT, &cl.resume_delay_ms },
	};
	double seconds = 5;
	int rc;

	cl.scheme = "Bearer";
	cl.resume_delay_ms = 300;
	if (client_args(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
	                &seconds) != 0)
		return fh_usage();
	if (cl.resume_delay_ms < 0)
		cl.resume_delay_ms = 0;
	/* a resume replaces the query */
	if (!strncmp(argv[2], "ws://", 5)) {
		const char *path = strchr(argv[2] + 5, '/');

		snprintf(cl.base, sizeof(cl.base), "%s", path ? path : "/");
		cl.base[strcspn(cl.base, "?")] = '\0';
	}
	fcl.on_message = client_message;
	fcl.on_event = client_event;
	fcl.gone = client_gone;
	rc = client_start(argv[2], seconds);
	if (rc)
		return rc;
	lws_sul_cancel(&cl.sul_resume);
	return client_finish();
}
