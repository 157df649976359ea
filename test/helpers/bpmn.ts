import type { EntityManager } from 'typeorm';
import { SYSTEM_ACTOR } from '../../src/common/actor';

/** A minimal executable BPMN document around a process body (test diagrams). */
export const diagram = (id: string, body: string, messages = '') => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:oms="http://oms.dev/schema/bpmn"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Defs_${id}" targetNamespace="http://oms.dev/test">
  ${messages}
  <bpmn:process id="${id}" name="${id}" isExecutable="true">${body}</bpmn:process>
</bpmn:definitions>`;

/** A step's transaction in tests that run the engine without a database: a handler that touches it fails loudly. */
const NO_DATABASE = new Proxy({} as EntityManager, {
  get: (_, property) => {
    throw new Error(`this test runs steps without a database (manager.${String(property)})`);
  },
});

/** A step run as the product's own flows run: as the system, with no user task completed (and no database). */
export const AS_SYSTEM = {
  principal: async () => SYSTEM_ACTOR,
  completerOf: async () => undefined,
  manager: NO_DATABASE,
};

/** The outside review's attack (issue 11): start → aftersales.review → aftersales.refund → end, tasks `Review` and `Refund`. */
export const reviewThenRefund = (key: string, startId = 'Start') =>
  diagram(
    key,
    `<bpmn:startEvent id="${startId}" /><bpmn:sequenceFlow id="F1" sourceRef="${startId}" targetRef="Review" />
     <bpmn:serviceTask id="Review" name="Approve" oms:taskType="aftersales.review" /><bpmn:sequenceFlow id="F2" sourceRef="Review" targetRef="Refund" />
     <bpmn:serviceTask id="Refund" name="Refund" oms:taskType="aftersales.refund" /><bpmn:sequenceFlow id="F3" sourceRef="Refund" targetRef="End" />
     <bpmn:endEvent id="End" />`,
  );
