/*
 * Mattermost's interactive buttons (see mattermost_int.h): the route
 * that takes a click, and the secret and URL the buttons carry. A click
 * runs its command as the person who clicked, through the bot like a
 * typed command (docs/protocols.md §5.4).
 */

#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cause.h"
#include "bot.h"
#include "chat.h"
#include "httpd.h"
#include "log.h"
#include "mattermost_int.h"
#include "xmalloc.h"

#define MM_SECRET_FILE		"mattermost-actions.key"

/* An answer to a click: HTTP status and an ephemeral_text (docs/protocols.md §5.4). */
static void
mm_action_answer(struct httpd_response *resp, int status, const char *text)
{
	cJSON	*j = cJSON_CreateObject();
	char	*s;

	resp->status = status;
	cJSON_AddStringToObject(j, "ephemeral_text", text);
	s = cJSON_PrintUnformatted(j);
	buf_adds(&resp->body, s);
	free(s);
	cJSON_Delete(j);
}

/*
 * POST /mattermost/action (docs/protocols.md §5.4): a button click. The context
 * is echoed back as we sent it, unsigned, so its token must be our secret
 * (constant time). The command runs as the person who clicked; its answer
 * is posted in the channel through the outbox, and the 200 here only says
 * that it was taken.
 */
void
mm_action(void *arg, const struct httpd_request *req,
    struct httpd_response *resp)
{
	struct mattermost	*mm = arg;
	cJSON			*in;
	const cJSON		*ctx;
	const char		*command, *token, *user, *uname, *chan, *cname;
	char			*chname = NULL, *text;
	struct chat_msg		 m;

	if (httpd_json_has_nul(req->body, req->body_len)) {
		/* The token would be read up to the NUL: a prefix match. */
		in = NULL;
		mm_action_answer(resp, 400, "opsbot: the click holds a NUL "
		    "byte");
		goto out;
	}
	in = cJSON_ParseWithLength(req->body, req->body_len);
	if (!cJSON_IsObject(in)) {
		mm_action_answer(resp, 400, "opsbot: the click is not a JSON "
		    "object");
		goto out;
	}
	ctx = cJSON_GetObjectItemCaseSensitive(in, "context");
	command = mm_str(ctx, "command");
	token = mm_str(ctx, "token");
	user = mm_str(in, "user_id");
	uname = mm_str(in, "user_name");
	chan = mm_str(in, "channel_id");
	cname = mm_str(in, "channel_name");
	if (command == NULL || token == NULL) {
		mm_action_answer(resp, 400, "opsbot: the click has no "
		    "context.command and context.token");
		goto out;
	}
	if (!httpd_token_equal(token, mm->action_token)) {
		log_warn("mattermost", "refused a button click with a wrong "
		    "token (user %s)", user != NULL ? user : "?");
		xasprintf(&text, "this button expired; run the command "
		    "instead: %s", command);
		mm_action_answer(resp, 401, text);
		free(text);
		goto out;
	}
	if (user == NULL || *user == '\0' || chan == NULL || *chan == '\0') {
		mm_action_answer(resp, 400, "opsbot: the click has no user_id "
		    "or channel_id");
		goto out;
	}
	mm->clicks++;
	log_info("mattermost", "button clicked by %s in %s", user, chan);
	/* A Confirm button's value is a token, not worth showing. */
	if (strncmp(command, "confirm:", 8) == 0)
		text = xstrdup("confirming: the command runs now");
	else
		xasprintf(&text, "running: %s", command);
	mm_action_answer(resp, 200, text);
	free(text);
	if (cname != NULL && *cname != '\0')
		xasprintf(&chname, "#%s", cname);
	memset(&m, 0, sizeof m);
	m.user_id = user;
	m.user_name = uname;
	m.channel = chan;
	m.channel_name = chname;
	m.reply_to = NULL;	/* a channel post: the clicked one may be gone */
	m.text = command;
	m.len = strlen(command);
	m.click = 1;
	m.source_id = mm_str(in, "post_id");
	if (m.source_id != NULL && *m.source_id == '\0')
		m.source_id = NULL;	/* then the answer is a new post */
	bot_handle_message(mm->bot, mm->chat, &m);
	free(chname);
out:
	cJSON_Delete(in);
}

static int
mm_is_hex(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	}
	return s[n] == '\0';
}

/*
 * The button secret: read from DATA_DIR/mattermost-actions.key, or made
 * from /dev/urandom and written there (0600, through a rename), so that
 * buttons keep working across restarts. Returns -1 with *cause only when
 * no secret can be had at all; a file that cannot be written costs only
 * the buttons of earlier runs (warned).
 */
int
mm_action_secret(struct mattermost *mm, char **cause)
{
	const char	*dir = mm->bot->cfg->bot.data_dir;
	unsigned char	 raw[MM_SECRET_BYTES];
	char		*path, *tmp, buf[MM_SECRET_BYTES * 2 + 2];
	ssize_t		 n;
	size_t		 i, got;
	int		 fd;

	xasprintf(&path, "%s/%s", dir, MM_SECRET_FILE);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
		n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n >= MM_SECRET_BYTES * 2) {
			buf[MM_SECRET_BYTES * 2] = '\0';
			if (mm_is_hex(buf, MM_SECRET_BYTES * 2)) {
				memcpy(mm->action_token, buf, sizeof buf - 1);
				mm->action_token[MM_SECRET_BYTES * 2] = '\0';
				explicit_bzero(buf, sizeof buf);
				free(path);
				return 0;
			}
		}
		explicit_bzero(buf, sizeof buf);
		log_warn("mattermost", "%s is not a button secret; making a "
		    "new one (older buttons expire)", path);
	} else if (errno != ENOENT)
		log_warn("mattermost", "cannot read %s: %s; making a new button "
		    "secret", path, strerror(errno));

	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) < 0) {
		cause_set(cause, "mattermost: cannot open /dev/urandom: %s",
		    strerror(errno));
		free(path);
		return -1;
	}
	for (got = 0; got < sizeof raw; got += (size_t)n) {
		if ((n = read(fd, raw + got, sizeof raw - got)) <= 0) {
			if (n < 0 && errno == EINTR) {
				n = 0;
				continue;
			}
			cause_set(cause, "mattermost: cannot read /dev/urandom");
			close(fd);
			free(path);
			return -1;
		}
	}
	close(fd);
	for (i = 0; i < sizeof raw; i++)
		snprintf(mm->action_token + 2 * i, 3, "%02x", raw[i]);
	explicit_bzero(raw, sizeof raw);

	xasprintf(&tmp, "%s.tmp", path);
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0 || write(fd, mm->action_token, MM_SECRET_BYTES * 2) !=
	    MM_SECRET_BYTES * 2 || write(fd, "\n", 1) != 1 || fsync(fd) != 0 ||
	    close(fd) != 0 || rename(tmp, path) != 0) {
		log_warn("mattermost", "cannot keep the button secret in %s "
		    "(%s): buttons stop working when the bot restarts", path,
		    strerror(errno));
		if (fd >= 0)
			(void)unlink(tmp);
	} else
		log_info("mattermost", "made a new button secret in %s", path);
	free(tmp);
	free(path);
	return 0;
}

/*
 * Where buttons send clicks: chat.mattermost.actions_url, or the
 * listener's own address. NULL (no buttons) without a listener.
 */
char *
mm_actions_url(struct mattermost *mm)
{
	const struct config	*cfg = mm->bot->cfg;
	const char		*addr = cfg->alerts.listen_address;
	char			*url;

	if (cfg->chat.mattermost_actions_url != NULL)
		return xstrdup(cfg->chat.mattermost_actions_url);
	if (mm->bot->httpd == NULL || addr == NULL)
		return NULL;
	if (strcmp(addr, "0.0.0.0") == 0 || strcmp(addr, "::") == 0)
		log_warn("mattermost", "buttons point at %s, which Mattermost "
		    "cannot reach; set chat.mattermost.actions_url", addr);
	if (strchr(addr, ':') != NULL)
		xasprintf(&url, "http://[%s]:%d/mattermost/action", addr,
		    httpd_port(mm->bot->httpd));
	else
		xasprintf(&url, "http://%s:%d/mattermost/action", addr,
		    httpd_port(mm->bot->httpd));
	return url;
}
