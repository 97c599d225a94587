/* decide.c - the decision on one message: queue, rules, acknowledgement.
 *
 * Pure: the rules' verdict, the loop guard, the sender authentication
 * the receiving server reported and the bounce structure combined in
 * one place.  Must never keep a message off a ticket for a
 * heuristic: a subject, a sender's name or a header may withhold the
 * acknowledgement, and only a rule's drop (named in the ledger) or a
 * bounce linked to plaint's own mail (decided in the database) keeps a
 * message from being filed as a ticket. */
#include "gw-decide.h"

/* Forged or unauthenticated senders are not answered: an answer would go
 * to whoever the forger named (backscatter).  Only what the trusted
 * receiving server wrote is read, and only the failures skip_when
 * names count, in this order. */
static GwAckReason
forged(const GwDecideInput *in, const GwMail *mail)
{
	static const struct {
		guint failure;
		GwAckReason reason;
	} checks[] = {
		{ GW_AUTH_DMARC_FAIL, GW_ACK_DMARC_FAIL },
		{ GW_AUTH_SPF_FAIL, GW_ACK_SPF_FAIL },
		{ GW_AUTH_DKIM_FAIL, GW_ACK_DKIM_FAIL },
	};
	gboolean found;
	guint failures = gw_ack_auth_failures(mail, in->trusted_authserv_id, &found);

	for (gsize i = 0; failures != 0 && in->skip_when != NULL &&
			  i < G_N_ELEMENTS(checks); i++)
		if ((failures & checks[i].failure) &&
		    g_strv_contains(in->skip_when, gw_ack_reason_name(checks[i].reason)))
			return checks[i].reason;
	return GW_ACK_YES;
}

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
	if (out->ack == GW_ACK_YES)
		out->ack = forged(in, mail);
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
