DROP TABLE sweep_marks;
DROP TABLE leases;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
