/*
 * The key tables of the fleet's metrics sources (docs/metrics.md): the
 * PromQL engines the bot asks instead of opening an ssh session per
 * host, the hosts listed by hand in them, and how big answers are cut.
 * Loaded by config_metrics.c through the same rows as every section.
 */

#include <stdlib.h>
#include <string.h>

#include "config_int.h"

#define F(field)	offsetof(struct config, field)
#define SECTION(p, rows)	{ p, rows, sizeof rows / sizeof rows[0], 0 }
#define ELEMENT(p, rows)	{ p, rows, sizeof rows / sizeof rows[0], 1 }

/* A Prometheus label name: what PromQL accepts unquoted. */
static void
check_label_name(struct cfg_ctx *ctx, const char *path, char **value)
{
	const char	*p = *value;

	if (*p == '\0' || (*p >= '0' && *p <= '9'))
		goto bad;
	for (; *p != '\0'; p++) {
		if ((*p < 'a' || *p > 'z') && (*p < 'A' || *p > 'Z') &&
		    (*p < '0' || *p > '9') && *p != '_')
			goto bad;
	}
	return;
bad:
	cfg_error(ctx, path, "expected a label name like \"instance\" "
	    "(letters, digits and _, not starting with a digit), got \"%s\"",
	    *value);
}

/* Each of metrics_sources[]: one engine and the hosts it knows. */
#define S(field)	offsetof(struct cfg_metrics_source, field)
static const struct cfg_key source_keys[] = {
	{ .key = "name", .type = CFG_STRING, .offset = S(name),
	  .flags = CFG_F_REQUIRED | CFG_F_NAME, .doc_default = "required",
	  .doc = "The source's name in answers and errors" },
	{ .key = "url", .type = CFG_STRING, .offset = S(url),
	  .flags = CFG_F_REQUIRED, .check = cfg_key_base_url,
	  .doc_default = "required",
	  .doc = "The engine's base URL" },
	{ .key = "token", .type = CFG_SECRET, .offset = S(token),
	  .doc = "A bearer token sent with every query" },
	{ .key = "user", .type = CFG_STRING, .offset = S(user),
	  .doc = "Basic authentication's user, with `password`." },
	{ .key = "password", .type = CFG_SECRET, .offset = S(password),
	  .doc = "Basic authentication's password." },
	{ .key = "timeout", .type = CFG_DURATION, .offset = S(timeout_s),
	  .min = 1, .max = 300, .def = 10,
	  .doc = "How long one query may take" },
	{ .key = "job", .type = CFG_STRING, .offset = S(job),
	  .def_str = "node",
	  .doc = "The `job` label of the node_exporter series" },
	{ .key = "host_label", .type = CFG_STRING, .offset = S(host_label),
	  .def_str = "instance", .check = check_label_name,
	  .doc = "The label whose value is the host's name" },
	{ .key = "tag_labels", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc = "Labels whose values become the host's tags" },
	{ .key = "fstype_exclude", .type = CFG_STRING,
	  .offset = S(fstype_exclude),
	  .def_str = "tmpfs|devtmpfs|ramfs|squashfs|nsfs|autofs|fuse\\..*",
	  .doc_default = "memory and pseudo file systems",
	  .doc = "File systems of these types" },
	{ .key = "disk_warn", .type = CFG_INT, .offset = S(disk_warn_pct),
	  .min = 1, .max = 100, .def = 80,
	  .doc = "Disk usage, in percent, that counts as a warning" },
	{ .key = "disk_crit", .type = CFG_INT, .offset = S(disk_crit_pct),
	  .min = 1, .max = 100, .def = 90,
	  .doc = "Disk usage, in percent, that counts as critical" },
	{ .key = "hosts", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc = "The hosts, listed by hand" },
};
#undef S

/* Each of metrics_sources[].hosts[]: a host listed by hand. */
#define H(field)	offsetof(struct cfg_metrics_host, field)
static const struct cfg_key mhost_keys[] = {
	{ .key = "name", .type = CFG_STRING, .offset = H(name),
	  .flags = CFG_F_REQUIRED | CFG_F_NAME, .doc_default = "required",
	  .doc = "What users type to mean this host" },
	{ .key = "match", .type = CFG_STRING, .offset = H(match),
	  .flags = CFG_F_NONEMPTY, .doc_default = "the host's `name`",
	  .doc = "The value of the source's `host_label`" },
	{ .key = "tags", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc = "Labels for picking groups of hosts" },
};
#undef H

static const struct cfg_key fleet_keys[] = {
	{ .key = "summary_over", .type = CFG_INT,
	  .offset = F(fleet.summary_over), .min = 1, .max = 1000000,
	  .def = 20,
	  .doc = "A fleet answer about more hosts than this" },
	{ .key = "worst", .type = CFG_INT, .offset = F(fleet.worst), .min = 1,
	  .max = 1000, .def = 10,
	  .doc = "How many hosts a summary lists" },
};

const struct cfg_section cfg_metrics_section = ELEMENT("metrics_sources",
    source_keys);
const struct cfg_section cfg_mhost_section = ELEMENT(
    "metrics_sources[].hosts", mhost_keys);
const struct cfg_section cfg_fleet_section = SECTION("fleet", fleet_keys);
