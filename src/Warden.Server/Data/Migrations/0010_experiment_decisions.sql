-- Logged decisions (docs/experimentation.md, off-policy evaluation and contextual bandits): the probability with which the
-- unit's arm was chosen at its first exposure and, when the experiment names context features, their values (a JSON object).
ALTER TABLE experiment_exposures ADD COLUMN propensity DOUBLE PRECISION;
ALTER TABLE experiment_exposures ADD COLUMN context TEXT;
