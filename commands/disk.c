/*
 * /disk TARGET: df -P and df -P -i for each configured mount, with used
 * space, free space, inodes and the threshold state, worst host first.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_record.h"
#include "fleet_cmd.h"
#include "inventory.h"
#include "parse.h"
#include "probes.h"
#include "remote.h"
#include "xmalloc.h"

static enum cmd_result cmd_disk_exec(struct cmd_ctx *);

static const struct arg_option cmd_disk_options[] = {
	FLEET_VIA_OPTION,
	{ NULL, 0, NULL }
};

const struct cmd_entry cmd_disk_entry = {
	.name = "disk",
	.alias = "df",
	.synopsis = "TARGET [--via metrics|ssh]",
	.help = "Shows used and free space and inodes of each configured mount, against its warning and critical thresholds. TARGET is a host, a tag, or all.",
	.args = { .options = cmd_disk_options, .min = 1, .max = 1 },
	.min_role = ROLE_VIEWER,
	.flags = CMD_TOUCHES_HOSTS,
	.exec = cmd_disk_exec,
};

/* df and df -i of the host's mounts, from the disks probe kind. */
static void
disk_script(struct probe *p, const struct cfg_remote *r)
{
	(void)r;
	probe_disks_script(p, "df", NULL, 0);
	probe_disks_script(p, "dfi", NULL, 1);
}

struct disk_host {
	const struct probe	*probe;
	size_t			 order;
	enum remote_state	 state;
	struct buf		 text;
};

static void
disk_assess(struct disk_host *dh)
{
	const struct probe		*p = dh->probe;
	const struct cfg_host		*h = p->host;
	const struct parse_df_row	*row, *irow;
	struct parse_df			 df, dfi;
	char				*cause = NULL, freebuf[32], ino[32];
	size_t				 i;
	int				 have_i;

	buf_init(&dh->text);
	dh->state = REMOTE_OK;
	if (p->failure != NULL && p->connected) {
		/* It answered, then df blocked: a hung mount, not a lost host. */
		dh->state = REMOTE_CRIT;
		buf_addf(&dh->text, "%s: CRIT — %s\n", h->name, p->failure);
		return;
	}
	if (p->failure != NULL) {
		dh->state = REMOTE_UNREACHABLE;
		buf_addf(&dh->text, "%s: UNREACHABLE — %s\n", h->name,
		    p->failure);
		return;
	}
	if (h->nmounts == 0) {
		buf_addf(&dh->text, "%s: no mounts configured (add \"mounts\" "
		    "to the host)\n", h->name);
		return;
	}
	if (probe_disks_read(p, "df", &df, &cause) != 0) {
		dh->state = REMOTE_WARN;
		buf_addf(&dh->text, "%s: cannot read df output%s%s\n",
		    h->name, cause != NULL ? ": " : "",
		    cause != NULL ? cause : "");
		free(cause);
		return;
	}
	have_i = probe_disks_read(p, "dfi", &dfi, NULL) == 0;

	buf_addf(&dh->text, "%s:\n", h->name);
	for (i = 0; i < h->nmounts; i++) {
		const struct cfg_mount *m = &h->mounts[i];
		const char *mark = "OK";

		if ((row = parse_df_find(&df, m->path)) == NULL) {
			if (dh->state < REMOTE_WARN)
				dh->state = REMOTE_WARN;
			buf_addf(&dh->text, "  %-16s not mounted  WARN\n",
			    m->path);
			continue;
		}
		if (row->pct >= m->crit_pct) {
			mark = "CRIT";
			dh->state = REMOTE_CRIT;
		} else if (row->pct >= m->warn_pct) {
			mark = "WARN";
			if (dh->state < REMOTE_WARN)
				dh->state = REMOTE_WARN;
		}
		remote_fmt_kib(row->avail, freebuf, sizeof freebuf);
		irow = have_i ? parse_df_find(&dfi, m->path) : NULL;
		if (irow != NULL && irow->pct >= 0)
			snprintf(ino, sizeof ino, "inodes %d%%", irow->pct);
		else
			snprintf(ino, sizeof ino, "inodes n/a");
		buf_addf(&dh->text, "  %-16s %3d%% used  %10s free  %-11s %s",
		    m->path, row->pct, freebuf, ino, mark);
		if (mark[0] != 'O')
			buf_addf(&dh->text, " (warn %d%%, crit %d%%)",
			    m->warn_pct, m->crit_pct);
		buf_addc(&dh->text, '\n');
	}
	parse_df_free(&df);
	if (have_i)
		parse_df_free(&dfi);
}

static int
disk_cmp(const void *a, const void *b)
{
	const struct disk_host	*x = a, *y = b;

	if (x->state != y->state)
		return x->state > y->state ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void
disk_report(struct remote_run *run)
{
	struct disk_host	*dh = xcalloc(run->n, sizeof *dh);
	size_t			 i, n = 0;
	struct buf		 waiting;

	buf_init(&waiting);
	for (i = 0; i < run->n; i++) {
		/* A partial answer: the hosts still running wait at the end. */
		if (!remote_probe_done(run, i)) {
			buf_addf(&waiting, "%s: waiting (no answer yet)\n",
			    run->probes[i].host->name);
			continue;
		}
		dh[n].probe = &run->probes[i];
		dh[n].order = i;
		disk_assess(&dh[n]);
		if (!run->partial)
			host_record_disks(run->ctx->bot, dh[n].probe);
		n++;
	}
	qsort(dh, n, sizeof *dh, disk_cmp);
	if (n < run->n)
		cmd_title(run->ctx, MESSAGE_PLAIN, "%s: %zu of %zu hosts "
		    "answered in %lld ms; waiting for %zu",
		    args_pos(&run->ctx->args, 0), n, run->n,
		    (long long)remote_run_elapsed(run), run->n - n);
	for (i = 0; i < n; i++) {
		cmd_reply(run->ctx, "%s", dh[i].text.data);
		buf_release(&dh[i].text);
	}
	if (waiting.len > 0)
		cmd_reply(run->ctx, "%s", waiting.data);
	buf_release(&waiting);
	free(dh);
}

static enum cmd_result
cmd_disk_exec(struct cmd_ctx *ctx)
{
	const char	*target = args_pos(&ctx->args, 0);

	/* A fleet's hosts from a metrics source: a few queries, no ssh. */
	switch (fleet_wanted(ctx, target)) {
	case 1:
		return fleet_run(ctx, target, FLEET_DISK);
	case -1:
		return CMD_ERROR;
	}
	return remote_run_target(ctx, target, disk_script, disk_report);
}
