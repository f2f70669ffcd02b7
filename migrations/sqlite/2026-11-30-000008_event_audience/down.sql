UPDATE events SET visible_to = NULL WHERE visible_to IN ('contacts', 'admins');
UPDATE events SET visible_to = 'casework' WHERE visible_to LIKE 'agreement-draft:%';
