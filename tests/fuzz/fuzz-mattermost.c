/*
 * libFuzzer target for what Mattermost sends (adapters/chat/
 * mattermost_socket.c, mattermost_actions.c): websocket events (hello, posted with its post as JSON
 * inside a JSON string, sequence numbers and gaps) and the body of a
 * button click posted to /mattermost/action. The first byte picks the
 * path, the rest is the message or body.
 *
 * mattermost_socket.c is included, not linked, so its static handlers run
 * without a network or a server; bot_handle_message is replaced at link
 * time (-Wl,--wrap) by a check that what reaches the bot is whole, and
 * so is bot_handle_thread_reply (plain replies in a thread). The
 * action answer must be JSON with ephemeral_text. Everything is freed.
 */

#include "../../adapters/chat/mattermost_socket.c"
#include "httpd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
void	__wrap_bot_handle_message(struct bot *, struct chat *,
	    const struct chat_msg *);
void	__wrap_bot_handle_thread_reply(struct bot *, struct chat *,
	    const struct chat_msg *);

void
__wrap_bot_handle_message(struct bot *b, struct chat *c,
    const struct chat_msg *m)
{
	(void)b;
	(void)c;
	if (m->text == NULL || strlen(m->text) != m->len ||
	    m->user_id == NULL || m->channel == NULL)
		abort();
	if (m->click && (*m->user_id == '\0' || *m->channel == '\0'))
		abort();
}

/* A plain reply in a thread (an incident's note): whole, with its root. */
void
__wrap_bot_handle_thread_reply(struct bot *b, struct chat *c,
    const struct chat_msg *m)
{
	(void)b;
	(void)c;
	if (m->text == NULL || strlen(m->text) != m->len ||
	    m->user_id == NULL || m->channel == NULL || m->thread == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mattermost	 mm;
	struct httpd_request		 req;
	struct httpd_response		 resp;
	char				*body;
	cJSON				*j;

	if (size < 1)
		return 0;
	log_set_level(LOG_ERROR);
	memset(&mm, 0, sizeof mm);
	mm.prefix = "!";
	mm.next_seq = data[0] & 1 ? -1 : 1;
	snprintf(mm.user_id, sizeof mm.user_id, "botuserid");
	snprintf(mm.username, sizeof mm.username, "opsbot");
	snprintf(mm.action_token, sizeof mm.action_token, "%s",
	    "0123456789abcdef0123456789abcdef");
	if ((data[0] & 2) == 0) {
		mm_on_message(&mm, (const char *)data + 1, size - 1);
		return 0;
	}
	/* The listener hands routes a NUL-terminated body. */
	body = xmalloc(size);
	memcpy(body, data + 1, size - 1);
	body[size - 1] = '\0';
	memset(&req, 0, sizeof req);
	req.method = "POST";
	req.path = "/mattermost/action";
	req.authorization = "";
	req.content_type = "application/json";
	req.body = body;
	req.body_len = size - 1;
	memset(&resp, 0, sizeof resp);
	buf_init(&resp.body);
	mm_action(&mm, &req, &resp);
	if (resp.status != 200 && resp.status != 400 && resp.status != 401)
		abort();
	if ((j = cJSON_ParseWithLength(resp.body.data, resp.body.len)) == NULL ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j,
	    "ephemeral_text")))
		abort();
	cJSON_Delete(j);
	buf_release(&resp.body);
	free(body);
	return 0;
}
