-- The change feed lists an event only to those who may read its entity in the state the event
-- carries (src/http/access.rs). Events written before stored 'casework' for every draft agreement
-- and nothing for contacts and webhooks; give them the audience the rule now names. A draft whose
-- agreement is gone gets an empty unit: coordinators and the board secretary only.
UPDATE events
SET visible_to = 'agreement-draft:' || COALESCE(
    (SELECT agreements.unit_code FROM agreements WHERE agreements.id = events.entity_id), '')
WHERE visible_to = 'casework';
UPDATE events SET visible_to = 'contacts' WHERE entity_type = 'CONTACT';
UPDATE events SET visible_to = 'admins' WHERE entity_type = 'WEBHOOK';
