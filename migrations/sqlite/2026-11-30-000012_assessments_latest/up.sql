-- The latest assessment of a subject published by an instant (`eligibility::inputs`,
-- `assessments::store::published_as_of`) is read in the order (published_at DESC, id DESC): one
-- index in that order finds it without sorting the subject's assessments.
DROP INDEX assessments_subject;
CREATE INDEX assessments_subject ON assessments (subject_key, published_at DESC, id DESC);
