/*
 * fake-slack --client: a minimal Socket Mode client for the self-test. It
 * acks the envelopes it receives (later, never, or only retries, as
 * asked) and can close the socket when told to disconnect; fakeclient
 * does the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-slack.h"
#include "fakeclient.h"

/* An ack waiting for --ack-delay-ms. */
struct pending_ack {
	struct pending_ack *next;
	lws_sorted_usec_list_t sul;
	char *text;
};

static struct {
	int ack, ack_delay_ms, ack_min_retry, close_on_disconnect;
	const char *ack_payload_text; /* --ack-payload */
	cJSON *ack_payload;
	struct pending_ack *acks;
} cl;

static void
client_ack_due(lws_sorted_usec_list_t *sul)
{
	struct pending_ack *p = lws_container_of(sul, struct pending_ack, sul);
	struct pending_ack **pp;

	for (pp = &cl.acks; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	client_queue(p->text);
	free(p->text);
	free(p);
}

static void
client_ack(const cJSON *j, const char *eid)
{
	cJSON *a = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(a, "envelope_id", eid);
	if (cl.ack_payload &&
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
	        j, "accepts_response_payload")))
		cJSON_AddItemToObject(a, "payload",
		                      cJSON_Duplicate(cl.ack_payload, 1));
	s = json_text(a);
	cJSON_Delete(a);
	if (cl.ack_delay_ms > 0) {
		struct pending_ack *p = xcalloc(1, sizeof(*p));

		p->text = s;
		p->next = cl.acks;
		cl.acks = p;
		lws_sul_schedule(fcl.cx, 0, &p->sul, client_ack_due,
		                 (lws_usec_t)cl.ack_delay_ms * LWS_US_PER_MS);
		return;
	}
	client_queue(s);
	free(s);
}

/* A whole message (already printed): ack it, or close on disconnect. */
static void
client_message(void)
{
	const char *type, *eid;
	cJSON *j;

	if (fcl.rx_binary)
		return;
	j = cJSON_ParseWithLength(fcl.rx.p ? fcl.rx.p : "", fcl.rx.len);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return;
	}
	type = jstr(j, "type");
	eid = jstr(j, "envelope_id");
	if (eid && cl.ack && jint(j, "retry_attempt", 0) >= cl.ack_min_retry)
		client_ack(j, eid);
	if (type && !strcmp(type, "disconnect") && cl.close_on_disconnect &&
	    fcl.wsi) {
		fcl.closing = 1;
		lws_callback_on_writable(fcl.wsi);
	}
	cJSON_Delete(j);
}

int
client_main(int argc, char **argv)
{
	const struct fh_opt opts[] = {
		{ "--ack", FH_FLAG, &cl.ack },
		{ "--no-ack", FH_UNFLAG, &cl.ack },
		{ "--close-on-disconnect", FH_FLAG, &cl.close_on_disconnect },
		{ "--ack-delay-ms", FH_INT, &cl.ack_delay_ms },
		{ "--ack-min-retry", FH_INT, &cl.ack_min_retry },
		{ "--fragment", FH_INT, &fcl.fragment },
		{ "--ack-payload", FH_STR, &cl.ack_payload_text },
	};
	double seconds = 5;
	struct pending_ack *p;
	int rc;

	cl.ack = 1;
	if (client_args(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
	                &seconds) != 0)
		return fh_usage();
	if (cl.ack_payload_text &&
	    !(cl.ack_payload = cJSON_Parse(cl.ack_payload_text))) {
		fprintf(stderr, "fake-slack: bad JSON: %s\n",
		        cl.ack_payload_text);
		return 2;
	}
	fcl.on_message = client_message;
	rc = client_start(argv[2], seconds);
	if (rc) {
		cJSON_Delete(cl.ack_payload);
		return rc;
	}
	for (p = cl.acks; p; p = p->next)
		lws_sul_cancel(&p->sul);
	rc = client_finish();
	while ((p = cl.acks)) {
		cl.acks = p->next;
		free(p->text);
		free(p);
	}
	cJSON_Delete(cl.ack_payload);
	return rc;
}
