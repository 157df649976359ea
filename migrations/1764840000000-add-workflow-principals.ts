import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 11 item 1: an instance runs as whoever started it (a user, an API key, or the system for the product's own flows),
 * and who completed a user task is recorded from the authenticated identity, never read from a process variable.
 */
export class AddWorkflowPrincipals1764840000000 implements MigrationInterface {
  name = 'AddWorkflowPrincipals1764840000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE process_instance
        ADD COLUMN started_by_kind varchar(10) NOT NULL DEFAULT 'system' CHECK (started_by_kind IN ('system','user','api_key')),
        ADD COLUMN started_by_id varchar(100),
        ADD COLUMN started_by varchar(254) NOT NULL DEFAULT 'system'`);
    await db.query(`
      ALTER TABLE user_task
        ADD COLUMN completed_by_kind varchar(10) CHECK (completed_by_kind IN ('system','user','api_key')),
        ADD COLUMN completed_by_id varchar(100)`);
    // Tasks accept only their form's fields from now on. The after-sales diagram before this change declared none, so the
    // open tasks of its running cases get the forms its next version declares (the same elements), or they could never
    // be completed with their decision.
    await db.query(`
      UPDATE user_task t SET form_fields = f.fields::jsonb
        FROM process_instance i, workflow_definition d, (VALUES
        ('Task_Review', '[{"name":"approved","label":"Approve the case","type":"boolean","required":true},{"name":"reason","label":"Reason (when rejected)","type":"string","required":false}]'),
        ('Task_Receive', '[{"name":"warehouse","label":"Warehouse code (default: where the goods left from)","type":"string","required":false},{"name":"notes","label":"Notes","type":"string","required":false}]'),
        ('Task_Inspect', '[{"name":"qcResult","label":"QC result","type":"enum","required":true,"options":["pass","fail"]},{"name":"qcNotes","label":"QC notes","type":"string","required":false}]'),
        ('Task_Refund', '[{"name":"refundAmount","label":"Amount refunded","type":"money","required":true},{"name":"refundReference","label":"Refund reference","type":"string","required":false}]')
        ) AS f(element_id, fields)
       WHERE i.id = t.instance_id AND d.id = i.definition_id AND d.key = 'after-sales'
         AND t.element_id = f.element_id AND t.status IN ('open', 'claimed') AND t.form_fields = '[]'::jsonb`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE user_task DROP COLUMN completed_by_id, DROP COLUMN completed_by_kind`);
    await db.query(`ALTER TABLE process_instance DROP COLUMN started_by, DROP COLUMN started_by_id, DROP COLUMN started_by_kind`);
  }
}
