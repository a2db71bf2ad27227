/*
 * The command table: one line per command, in the order /help lists them.
 * To add a command, see commands/README.md.
 */

#include <stddef.h>

#include "cmd.h"

extern const struct cmd_entry cmd_ack_entry;
extern const struct cmd_entry cmd_alerts_entry;
extern const struct cmd_entry cmd_audit_entry;
extern const struct cmd_entry cmd_handover_entry;
extern const struct cmd_entry cmd_checklist_entry;
extern const struct cmd_entry cmd_disk_entry;
extern const struct cmd_entry cmd_eod_entry;
extern const struct cmd_entry cmd_health_entry;
extern const struct cmd_entry cmd_help_entry;
extern const struct cmd_entry cmd_incident_entry;
extern const struct cmd_entry cmd_jobs_entry;
extern const struct cmd_entry cmd_logs_entry;
extern const struct cmd_entry cmd_rca_entry;
extern const struct cmd_entry cmd_rerun_entry;
extern const struct cmd_entry cmd_report_entry;
extern const struct cmd_entry cmd_resolve_entry;
extern const struct cmd_entry cmd_restart_entry;
extern const struct cmd_entry cmd_runbook_entry;
extern const struct cmd_entry cmd_ticket_entry;
extern const struct cmd_entry cmd_search_entry;
extern const struct cmd_entry cmd_silence_entry;
extern const struct cmd_entry cmd_sod_entry;
extern const struct cmd_entry cmd_tail_entry;
extern const struct cmd_entry cmd_silences_entry;
extern const struct cmd_entry cmd_top_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_unsilence_entry;
extern const struct cmd_entry cmd_whoami_entry;

const struct cmd_entry *const cmd_table[] = {
	&cmd_help_entry,
	&cmd_health_entry,
	&cmd_disk_entry,
	&cmd_logs_entry,
	&cmd_tail_entry,
	&cmd_jobs_entry,
	&cmd_top_entry,
	&cmd_rerun_entry,
	&cmd_restart_entry,
	&cmd_alerts_entry,
	&cmd_ack_entry,
	&cmd_resolve_entry,
	&cmd_silence_entry,
	&cmd_silences_entry,
	&cmd_unsilence_entry,
	&cmd_sod_entry,
	&cmd_eod_entry,
	&cmd_checklist_entry,
	&cmd_report_entry,
	&cmd_incident_entry,
	&cmd_rca_entry,
	&cmd_runbook_entry,
	&cmd_ticket_entry,
	&cmd_search_entry,
	&cmd_status_entry,
	&cmd_audit_entry,
	&cmd_handover_entry,
	&cmd_whoami_entry,
	NULL
};
