-- One database per service with state, as ./flow-local creates them (owner: the POSTGRES_USER).
CREATE DATABASE flow_submitter;
CREATE DATABASE flow_cost_accountant;
