import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import * as loader from '@grpc/proto-loader';

const require = createRequire(import.meta.url);

export interface PubsubServices {
  Publisher: grpc.ServiceDefinition;
  Subscriber: grpc.ServiceDefinition;
}

/** The Publisher and Subscriber services from the self-contained protos.json that @google-cloud/pubsub ships. */
export function loadPubsubServices(): PubsubServices {
  const json = require('@google-cloud/pubsub/build/protos/protos.json') as Record<string, unknown>;
  const definition = loader.fromJSON(json, {
    keepCase: false,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  const v1 = (
    grpc.loadPackageDefinition(definition) as unknown as {
      google: { pubsub: { v1: Record<string, { service: grpc.ServiceDefinition }> } };
    }
  ).google.pubsub.v1;
  return { Publisher: v1.Publisher.service, Subscriber: v1.Subscriber.service };
}
