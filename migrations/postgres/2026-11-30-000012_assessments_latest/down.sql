DROP INDEX assessments_subject;
CREATE INDEX assessments_subject ON assessments (subject_key, published_at);
