-- The facts the gateway gathers about one inbound message, for
-- plaint.file_message(): it sends them as a jsonb object with these
-- keys, so that a new fact is a new field here, not a new signature.
CREATE TYPE plaint.inbound AS (
	raw_id             bigint,
	received_at        timestamptz,	-- INTERNALDATE; NULL: now
	message_id         text,	-- without <>; NULL if none
	fingerprint        text,	-- sha256 without trace headers
	in_reply_to        text,
	"references"       text[],
	from_addr          text,	-- the customer; NULL if no sender at all
	from_name          text,
	cc                 text[],
	subject            text,
	body               text,
	body_new           text,	-- body without quoted history and signature
	limits             text[],	-- limits the parse reached
	defects            text[],	-- what the parser found wrong
	tag_number         text,	-- a [PREFIX-n] tag in the subject
	refs               text[],	-- Message-IDs it answers, nearest first
	bounce             text,	-- 'report' or 'candidate' (by structure); NULL
	original_ids       text[],	-- Message-IDs a bounce names
	prefix             text,	-- of new ticket numbers
	queue              text,	-- for a ticket it opens
	priority           text,
	tags               text[],
	rules              text[],	-- the rules that matched
	rules_version      text,
	assignee           text,	-- a rule's assign
	template           text,	-- a rule's acknowledgement template
	no_ack             boolean,	-- a rule's no-ack
	drop               boolean,	-- a rule's drop
	dropped_by         text,	-- the rule that said drop
	limit_hits         text[],	-- rules whose pattern hit its limit
	ack_suppressed     text,	-- why no acknowledgement (the guard); NULL: may
	answer_score       integer,	-- a satisfaction score (1-5) its new text starts with
	answer_comment     text,	-- and what else it says, if answer_score
	low_score_queue    text,	-- where a score of 1 or 2 moves the ticket; NULL: stays
	ack_within         integer,	-- seconds to acknowledge, unless the queue sets ack_within
	respond_within     integer,	-- seconds to a first response, for a queue made now
	ack_rate_limit     integer,	-- acknowledgements per address and window; 0: none
	ack_rate_window    integer,	-- seconds
	domain_rate_limit  integer,	-- acknowledgements per domain and window; 0: none
	domain_rate_window integer,	-- seconds, also of similar_rate_limit
	domain_rate_exempt text[],	-- domains the domain limit spares
	similar_rate_limit integer,	-- acknowledged mail of one shape per domain and window; 0: none
	repeat_tickets     integer,	-- a customer's tickets within repeat_days that make a repeat; 0: off
	repeat_days        integer,
	shape              text,	-- digest of its own text (plaint.messages.shape)
	tag_from_strangers text		-- 'thread' or 'new'
);
COMMENT ON TYPE plaint.inbound IS 'Gateway only: the facts of one inbound message that plaint.file_message() files';
