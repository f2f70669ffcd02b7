DROP TABLE exceptions;
DROP TABLE agreement_fundings;
DROP TABLE agreement_sdgs;
DROP TABLE agreement_purposes;
DROP TABLE agreement_partners;
DROP TABLE agreements;
