/* decide.c - the decision on one message: queue, rules, acknowledgement.
 *
 * Pure: the rules' verdict, the loop guard and the bounce structure
 * combined in one place.  Must never keep a message off a ticket for a
 * heuristic: a subject, a sender's name or a header may withhold the
 * acknowledgement, and only a rule's drop (named in the ledger) or a
 * bounce linked to plaint's own mail (decided in the database) keeps a
 * message from being filed as a ticket. */
#include "gw-decide.h"

void
gw_decide(const GwDecideInput *in, const GwMail *mail, gboolean want_trace,
	  GwDecision *out)
{
	GwVerdict *v = &out->verdict;

	gw_verdict_init(v, want_trace);
	gw_rules_classify(in->rules, mail, in->mailbox ? in->mailbox : "", v);
	out->bounce = gw_ack_bounce_kind(mail);
	out->queue = v->queue ? v->queue
		   : out->bounce == GW_BOUNCE_REPORT ? in->bounce_queue : in->queue;
	out->ack = out->bounce == GW_BOUNCE_REPORT
			   ? GW_ACK_BOUNCE : gw_ack_guard(mail, in->own_address);
	/* A drop is why nothing goes out; a rule's no-ack is the reason
	 * only when the guard found none. */
	if (v->drop)
		out->ack = GW_ACK_RULE_DROP;
	else if (out->ack == GW_ACK_YES && v->no_ack)
		out->ack = GW_ACK_RULE_NO_ACK;
}

void
gw_decision_clear(GwDecision *decision)
{
	gw_verdict_clear(&decision->verdict);
	decision->queue = NULL;
}
