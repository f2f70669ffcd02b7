DROP TABLE assessments;
DROP TABLE indicators;
DROP TABLE contacts;
DROP TABLE partners;
